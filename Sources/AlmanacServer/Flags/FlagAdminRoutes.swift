import AlmanacFlags
import AlmanacRuntime
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
        let pinners = groups.pinWriters(FlagService.teamResolver(flags))
        viewers.get("/api/v1/flags") { _, _ in
            try JSONResponse.encode(FlagList(flags: flags.evaluator.effective.values.sorted { $0.key < $1.key }.map(FlagRecord.init)))
        }
        viewers.get("/api/v1/flags/status") { _, _ in
            let snapshot = flags.evaluator
            return try JSONResponse.encode(
                FlagsStatus(
                    flags: snapshot.flags.flags.count, errors: flags.reloadErrors, warnings: snapshot.flags.warnings.map(\.description)))
        }
        viewers.get("/api/v1/flags/:key/audit") { _, context in
            let entries = try await flags.auditLog(flagKey: try context.parameters.require("key"), limit: 200)
            return try JSONResponse.encode(AuditList(entries: entries.map { AuditRecord($0) }))
        }
        viewers.get("/api/v1/audit") { _, _ in
            let entries = try await flags.auditLog(flagKey: nil, limit: 500)
            return try JSONResponse.encode(AuditList(entries: entries.map { AuditRecord($0) }))
        }
        changers.put("/api/v1/flags/:key/state") { request, context in
            let body = try await request.decode(StateChange.self, limit: maximumBodyBytes)
            return try await apply(.setState(flagKey: try context.parameters.require("key"), state: body.state), body.comment, context)
        }
        changers.put("/api/v1/flags/:key/default-variant") { request, context in
            let body = try await request.decode(DefaultVariantChange.self, limit: maximumBodyBytes)
            return try await apply(.setDefaultVariant(flagKey: try context.parameters.require("key"), variant: body.variant), body.comment, context)
        }
        pinners.put("/api/v1/flags/:key/pins") { request, context in
            let body = try await request.decode(PinChange.self, limit: maximumBodyBytes)
            guard let variant = body.variant else { throw RequestProblem("variant", "required: a variant name") }
            return try await apply(
                .pin(flagKey: try context.parameters.require("key"), subject: body.subject, variant: variant), body.comment, context)
        }
        pinners.delete("/api/v1/flags/:key/pins") { request, context in
            let body = try await request.decode(PinChange.self, limit: maximumBodyBytes)
            return try await apply(.unpin(flagKey: try context.parameters.require("key"), subject: body.subject), body.comment, context)
        }
    }

    private func apply(_ change: RuntimeChange, _ comment: String, _ context: AlmanacRequestContext) async throws -> Response {
        // The access group let only the flag's team and (for pins) client-key holders this far.
        guard let caller = context.identity, let actor = caller.person?.auditName ?? caller.client.map({ "client:\($0)" }) else {
            throw EdgeProblem.notSignedIn("sign in, or send a token")
        }
        return try JSONResponse.encode(AuditRecord(try await flags.apply(change, actor: actor, comment: comment)))
    }
}
