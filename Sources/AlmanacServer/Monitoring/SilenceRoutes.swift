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
            return try JSONResponse.encode(["silences": try await alerts.silences(endingAfter: since).map(SilenceRecord.init)])
        }
        operators.post("/api/v1/silences") { request, context in
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            let end: AlertService.SilenceEnd? =
                if let text = body["duration"]?.stringValue { .after(text) } else if case .int(let at)? = body["ends_at"] { .at(at) } else { nil }
            return try await Self.answer {
                let silence = try await alerts.silence(
                    matchers: body["matchers"]?.stringValue ?? "", until: end, comment: body["comment"]?.stringValue ?? "", actor: context.actor ?? ""
                )
                return JSONResponse.make(.created, ["id": .int(silence.id), "ends_at": .int(silence.endsAt)])
            }
        }
        operators.delete("/api/v1/silences/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else {
                return JSONResponse.error(.badRequest, "must be a number", field: "id")
            }
            guard try await alerts.expire(silence: id, actor: context.actor ?? "") else {
                return JSONResponse.error(.notFound, "no active silence \(id)")
            }
            return JSONResponse.make(.ok, ["id": .int(id), "expired": true])
        }
        operators.post("/api/v1/alerts/ack") { request, context in
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            guard let rule = body["rule"]?.stringValue else { throw RequestProblem("rule", "required: the alert's rule") }
            let labels = try Self.labels(body["labels"] ?? .object([:]))
            return try await Self.answer {
                try await alerts.acknowledge(rule: rule, labels: labels, comment: body["comment"]?.stringValue ?? "", actor: context.actor ?? "")
                return JSONResponse.make(.ok, ["acknowledged": true, "by": .string(context.actor ?? "")])
            }
        }
    }

    /// An alert's labels as a request sends them: an object of names to strings.
    static func labels(_ value: JSONValue) throws(RequestProblem) -> [Label] {
        guard let object = value.objectValue, object.values.allSatisfy({ $0.stringValue != nil }) else {
            throw RequestProblem("labels", "must be an object of label names to strings")
        }
        return object.map { Label($0.key, $0.value.stringValue ?? "") }.sorted()
    }

    /// The decisions' refusals as status codes: a wrong field (400), no such alert (404).
    static func answer(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let problem as AlertService.Problem {
            switch problem {
            case .invalid(let field, let message): return JSONResponse.error(.badRequest, message, field: field)
            case .noSuchAlert(let message): return JSONResponse.error(.notFound, message)
            }
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
