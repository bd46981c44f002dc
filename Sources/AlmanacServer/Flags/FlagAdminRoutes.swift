import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// The admin API for run-time changes (kill switch, default variant, pins) and reading flags
/// and their audit log. Every write needs an operator of the flag's team and lands in the audit
/// log; pins may also be set with a client key, so an app can let its users opt in or out.
struct FlagAdminRoutes: Sendable {
    let flags: FlagService
    let maximumBodyBytes: Int

    func add(to groups: AccessGroups) {
        let viewers = groups.viewers
        let changers = groups.writers(FlagService.teamResolver(flags))
        viewers.get("/api/v1/flags") { _, _ in
            JSONResponse.make(.ok, .object(["flags": .array(flags.evaluator.effective.values.sorted { $0.key < $1.key }.map(Self.describe))]))
        }
        viewers.get("/api/v1/flags/status") { _, _ in
            let snapshot = flags.evaluator
            return JSONResponse.make(
                .ok,
                [
                    "flags": .int(Int64(snapshot.flags.flags.count)), "errors": .array(flags.reloadErrors.map(JSONValue.string)),
                    "warnings": .array(snapshot.flags.warnings.map { .string($0.description) }),
                ])
        }
        viewers.get("/api/v1/flags/:key/audit") { _, context in
            let entries = try await flags.store.auditLog(flagKey: try context.parameters.require("key"), limit: 200)
            return JSONResponse.make(.ok, .object(["entries": .array(entries.map(Self.describe))]))
        }
        viewers.get("/api/v1/audit") { _, _ in
            let entries = try await flags.store.auditLog(flagKey: nil, limit: 500)
            return JSONResponse.make(.ok, .object(["entries": .array(entries.map(Self.describe))]))
        }
        changers.put("/api/v1/flags/:key/state") { request, context in
            try await change(request, context) { key, body throws(RequestProblem) in
                guard let state = body["state"] else { throw RequestProblem("state", "required: ENABLED, DISABLED or null") }
                if state == .null { return .setState(flagKey: key, state: nil) }
                guard let text = state.stringValue, let parsed = FlagState(rawValue: text) else {
                    throw RequestProblem("state", "must be ENABLED, DISABLED or null")
                }
                return .setState(flagKey: key, state: parsed)
            }
        }
        changers.put("/api/v1/flags/:key/default-variant") { request, context in
            try await change(request, context) { key, body throws(RequestProblem) in
                guard let variant = body["variant"] else { throw RequestProblem("variant", "required: a variant name or null") }
                if variant == .null { return .setDefaultVariant(flagKey: key, variant: nil) }
                guard let name = variant.stringValue else { throw RequestProblem("variant", "must be a variant name or null") }
                return .setDefaultVariant(flagKey: key, variant: name)
            }
        }
        groups.pinWriters(FlagService.teamResolver(flags)).put("/api/v1/flags/:key/pins") { request, context in
            try await change(request, context) { key, body throws(RequestProblem) in
                let subject = try Self.subject(body)
                guard let variant = body["variant"]?.stringValue else { throw RequestProblem("variant", "required: a variant name") }
                return .pin(flagKey: key, subject: subject, variant: variant)
            }
        }
        groups.pinWriters(FlagService.teamResolver(flags)).delete("/api/v1/flags/:key/pins") { request, context in
            try await change(request, context) { key, body throws(RequestProblem) in
                .unpin(flagKey: key, subject: try Self.subject(body))
            }
        }
    }

    private static func subject(_ body: [String: JSONValue]) throws(RequestProblem) -> PinSubject {
        guard let text = body["subject"]?.stringValue, text.count <= 256, let subject = PinSubject(text) else {
            throw RequestProblem("subject", "required: user:ID or team:NAME, at most 256 characters")
        }
        return subject
    }

    private func change(
        _ request: Request, _ context: AlmanacRequestContext, _ make: (String, [String: JSONValue]) throws(RequestProblem) -> RuntimeChange
    ) async throws -> Response {
        // The access group let only the flag's team and (for pins) client-key holders this far.
        guard let caller = context.identity, let actor = caller.person?.auditName ?? caller.client.map({ "client:\($0)" }) else {
            return JSONResponse.error(.unauthorized, "sign in, or send a token")
        }
        let key = try context.parameters.require("key")
        let bytes = try await request.collectBody(limit: maximumBodyBytes)
        let body: [String: JSONValue]
        do throws(JSONParser.Failure) {
            guard case .object(let object) = try JSONParser.parse(bytes) else { return JSONResponse.error(.badRequest, "body must be a JSON object") }
            body = object
        } catch {
            return JSONResponse.error(.badRequest, "body is not valid JSON: \(error)")
        }
        let comment = body["comment"]?.stringValue ?? ""
        if comment.count > 2000 { return JSONResponse.error(.badRequest, "at most 2000 characters", field: "comment") }
        let change: RuntimeChange
        do throws(RequestProblem) {
            change = try make(key, body)
        } catch {
            return JSONResponse.error(.badRequest, error.message, field: error.field)
        }
        do {
            let entry = try await flags.apply(change, actor: actor, comment: comment)
            return JSONResponse.make(.ok, Self.describe(entry))
        } catch let problem as ChangeProblem {
            switch problem {
            case .unknownFlag: return JSONResponse.error(.notFound, problem.description)
            case .unknownVariant: return JSONResponse.error(.badRequest, problem.description, field: "variant")
            }
        }
    }

    static func describe(_ flag: Flag) -> JSONValue {
        var out: [String: JSONValue] = [
            "key": .string(flag.key), "state": .string(flag.state.rawValue), "type": .string(flag.type.rawValue),
            "variants": .object(flag.variants), "default_variant": flag.defaultVariant.map(JSONValue.string) ?? .null,
            "source": .string("\(flag.source.file):\(flag.source.line)"),
        ]
        if let owner = flag.owner { out["owner"] = .string(owner) }
        if let expires = flag.expires { out["expires"] = .string(expires) }
        if let targeting = flag.targetingSource { out["targeting"] = targeting }
        return .object(out)
    }

    static func describe(_ entry: AuditEntry) -> JSONValue {
        [
            "id": .int(entry.id), "at": .int(entry.at), "actor": .string(entry.actor), "action": .string(entry.action),
            "flag": .string(entry.flagKey), "subject": entry.subject.map(JSONValue.string) ?? .null,
            "before": entry.before.map(JSONValue.string) ?? .null, "after": entry.after.map(JSONValue.string) ?? .null,
            "comment": .string(entry.comment),
        ]
    }
}
