import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird

/// Silences and acknowledgements through the API; every write needs an admin token and lands
/// in the alert history with who and why.
struct SilenceRoutes: Sendable {
    let store: SQLAlertStore
    let auth: Authenticator
    let maximumBodyBytes: Int
    static let longestSilence: Int64 = 365 * 86_400_000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/silences") { _, _ in
            let now = Self.now()
            return try JSONResponse.encode(["silences": try await store.silences(endingAfter: now - 7 * 86_400_000).map(SilenceRecord.init)])
        }
        router.post("/api/v1/silences") { request, _ in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            switch Self.silence(body, actor: actor, now: Self.now()) {
            case .failure(let problem): return JSONResponse.error(.badRequest, problem.message, field: problem.field)
            case .success(let silence):
                let id = try await store.addSilence(silence, at: silence.startsAt)
                return JSONResponse.make(.created, ["id": .int(id), "endsAt": .int(silence.endsAt)])
            }
        }
        router.delete("/api/v1/silences/:id") { request, context in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            guard let id = Int64(try context.parameters.require("id")) else { return JSONResponse.error(.badRequest, "must be a number", field: "id") }
            guard try await store.expireSilence(id: id, by: actor, at: Self.now()) else {
                return JSONResponse.error(.notFound, "no active silence \(id)")
            }
            return JSONResponse.make(.ok, ["id": .int(id), "expired": true])
        }
        router.post("/api/v1/alerts/ack") { request, _ in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            switch try await acknowledge(body, actor: actor) {
            case .failure(let problem): return problem.field.isEmpty ? JSONResponse.error(.notFound, problem.message) : JSONResponse.error(.badRequest, problem.message, field: problem.field)
            case .success: break
            }
            return JSONResponse.make(.ok, ["acknowledged": true, "by": .string(actor)])
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Acknowledges the active alert of `rule` with `labels`; a problem with an empty field means
    /// there is no such alert.
    func acknowledge(_ body: [String: JSONValue], actor: String) async throws -> Result<Void, RequestProblem> {
        guard let rule = body["rule"]?.stringValue else { return .failure(RequestProblem("rule", "required: the alert's rule")) }
        guard let labelObject = (body["labels"] ?? .object([:])).objectValue, labelObject.values.allSatisfy({ $0.stringValue != nil }) else {
            return .failure(RequestProblem("labels", "must be an object of label names to strings"))
        }
        let comment = body["comment"]?.stringValue ?? ""
        guard comment.count <= 2000 else { return .failure(RequestProblem("comment", "at most 2000 characters")) }
        let labels = labelObject.map { Label($0.key, $0.value.stringValue!) }.sorted()
        let state = try await store.state()
        guard let alert = state.tracker.alerts[AlertTracker.key(rule, labels)], alert.state != .resolved else {
            return .failure(RequestProblem("", "no active alert of \(rule) with these labels"))
        }
        try await store.acknowledge(alert, by: actor, comment: comment, at: Self.now())
        return .success(())
    }

    /// A silence from a request: matchers, a duration or an end, and why.
    static func silence(_ body: [String: JSONValue], actor: String, now: Int64) -> Result<Silence, RequestProblem> {
        guard let matchers = body["matchers"]?.stringValue, matchers.count <= 1000 else {
            return .failure(RequestProblem("matchers", "required: label matchers such as {alertname=\"DiskAlmostFull\", server=\"off2\"}"))
        }
        do throws(SelectorError) {
            _ = try Silence.validate(matchers: matchers)
        } catch {
            return .failure(RequestProblem("matchers", error.message))
        }
        guard let comment = body["comment"]?.stringValue, !comment.isEmpty, comment.count <= 2000 else {
            return .failure(RequestProblem("comment", "required: why (at most 2000 characters)"))
        }
        let end: Int64
        if let text = body["duration"]?.stringValue {
            guard let ms = ScrapeConfig.parseDuration(text), ms > 0 else { return .failure(RequestProblem("duration", "must be a duration such as 30m, 2h or 3d")) }
            end = now + ms
        } else if case .int(let at)? = body["endsAt"] {
            end = at
        } else {
            return .failure(RequestProblem("duration", "required: duration (such as 2h) or endsAt (ms since 1970)"))
        }
        guard end > now, end - now <= longestSilence else { return .failure(RequestProblem("duration", "must end in the future, within a year")) }
        return .success(Silence(id: 0, matchers: matchers, startsAt: now, endsAt: end, createdBy: actor, comment: comment))
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
