import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird

/// Silences and acknowledgements through the API (admins only); the alert service checks them
/// and records who and why.
struct SilenceRoutes: Sendable {
    let alerts: AlertService
    let maximumBodyBytes: Int
    let clock: WallClock

    func add(to groups: AccessGroups) {
        let operators = groups.writers(.operate(team: nil))
        groups.viewers.get("/api/v1/silences") { _, _ in
            let since = clock.milliseconds() - 7 * 86_400_000
            return try JSONResponse.encode(SilenceList(silences: try await alerts.silences(endingAfter: since).map(SilenceRecord.init)))
        }
        operators.post("/api/v1/silences") { request, context in
            let body = try await request.decode(SilenceRequest.self, limit: maximumBodyBytes)
            let end: AlertService.SilenceEnd? = if let text = body.duration { .after(text) } else { body.endsAt.map { .at($0) } }
            let silence = try await alerts.silence(matchers: body.matchers ?? "", until: end, comment: body.comment ?? "", actor: context.actor ?? "")
            return try JSONResponse.encode(SilenceCreated(id: silence.id, endsAt: silence.endsAt), status: .created)
        }
        operators.delete("/api/v1/silences/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw RequestProblem("id", "must be a number") }
            guard try await alerts.expire(silence: id, actor: context.actor ?? "") else { throw EdgeProblem.notFound("no active silence \(id)") }
            return try JSONResponse.encode(SilenceExpired(id: id, expired: true))
        }
        operators.post("/api/v1/alerts/ack") { request, context in
            let body = try await request.decode(AcknowledgeRequest.self, limit: maximumBodyBytes)
            try await alerts.acknowledge(rule: body.rule, labels: body.labels, comment: body.comment ?? "", actor: context.actor ?? "")
            return try JSONResponse.encode(Acknowledged(acknowledged: true, by: context.actor ?? ""))
        }
    }
}

struct SilenceRequest: Decodable {
    var matchers: String?
    var duration: String?
    var endsAt: Int64?
    var comment: String?

    private enum CodingKeys: String, CodingKey {
        case matchers, duration, comment
        case endsAt = "ends_at"
    }
}

struct SilenceCreated: Encodable {
    var id: Int64
    var endsAt: Int64
}

struct SilenceExpired: Encodable {
    var id: Int64
    var expired: Bool
}

struct AcknowledgeRequest: Decodable {
    var rule: String
    var labels: [Label]
    var comment: String?

    private enum CodingKeys: String, CodingKey { case rule, labels, comment }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let rule = try? container.decode(String.self, forKey: .rule) else { throw invalid(.rule, in: container, "required: the alert's rule") }
        self.rule = rule
        guard let labels = try? container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:] else {
            throw invalid(.labels, in: container, "must be an object of label names to strings")
        }
        self.labels = labels.map { Label($0.key, $0.value) }.sorted()
        comment = try container.decodeIfPresent(String.self, forKey: .comment)
    }
}

struct Acknowledged: Encodable {
    var acknowledged: Bool
    var by: String
}

extension AlertService.Problem: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .invalid: .badRequest
        case .noSuchAlert: .notFound
        }
    }

    public var fieldName: String? {
        if case .invalid(let field, _) = self { return field }
        return nil
    }

    public var message: String {
        switch self {
        case .invalid(_, let message), .noSuchAlert(let message): message
        }
    }
}

/// A silence as the API shows it.
struct SilenceRecord: Codable {
    var id: Int64
    var matchers: String
    var startsAt: Int64
    var endsAt: Int64
    var createdBy: String
    var comment: String

    init(_ silence: Silence) {
        id = silence.id
        matchers = silence.matchers
        startsAt = silence.startsAt
        endsAt = silence.endsAt
        createdBy = silence.createdBy
        comment = silence.comment
    }
}

struct SilenceList: Encodable { var silences: [SilenceRecord] }
