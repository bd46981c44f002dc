import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird

/// The flag list and a flag's page (rules, kill switch, pins, history), with the page forms.
struct FlagPages: Sendable {
    let flags: FlagService
    let renderer: PageRenderer
    let maximumBodyBytes: Int

    func add(to groups: AccessGroups) {
        groups.open.get("/flags") { _, context in try await list(actor: context.actor) }
        groups.open.get("/flags/:key") { _, context in
            try await detail(try context.parameters.require("key"), actor: context.actor)
        }
        groups.forms.post("/flags/:key/state") { request, context in
            try await act(request, context) { key, form in
                let state = form["state"].flatMap(FlagState.init(rawValue:))
                return state.map { .setState(flagKey: key, state: $0) }
            }
        }
        groups.forms.post("/flags/:key/pin") { request, context in
            try await act(request, context) { key, form in
                guard let subject = form["subject"].flatMap(PinSubject.init), let variant = form["variant"] else { return nil }
                return .pin(flagKey: key, subject: subject, variant: variant)
            }
        }
        groups.forms.post("/flags/:key/unpin") { request, context in
            try await act(request, context) { key, form in
                form["subject"].flatMap(PinSubject.init).map { .unpin(flagKey: key, subject: $0) }
            }
        }
    }

    /// A form post from a flag's page (the forms group checked the admin and the site), then
    /// back to the flag.
    private func act(
        _ request: Request, _ context: AlmanacRequestContext, _ make: (String, [String: String]) -> RuntimeChange?
    ) async throws -> Response {
        let actor = context.actor ?? ""
        let key = try context.parameters.require("key")
        let form = try await request.formFields(limit: maximumBodyBytes)
        guard let change = make(key, form) else { return Response(status: .badRequest) }
        do {
            _ = try await flags.apply(change, actor: actor, comment: String((form["comment"] ?? "").prefix(2000)))
        } catch let problem as ChangeProblem {
            return renderer.message("Not changed", problem.description, actor: actor, status: .badRequest)
        }
        return PageRenderer.redirect("/flags/\(key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key)")
    }

    private func list(actor: String?) async throws -> Response {
        let evaluator = flags.evaluator
        let nowHour = Int64(Date().timeIntervalSince1970) / 3600
        let lastDay = try await flags.store.usage(sinceHour: nowHour - 23)
        let month = try await flags.store.usage(sinceHour: nowHour - 30 * 24)
        let findings = StaleFlags.findings(
            flags: evaluator.flags, usage: month, today: DayStamp(unixSeconds: Int64(Date().timeIntervalSince1970)), windowDays: 30)
        let rows: [[String: Any]] = evaluator.effective.keys.sorted().map { key in
            let flag = evaluator.effective[key]!
            return [
                "key": key, "state": flag.state.rawValue, "type": flag.type.rawValue, "variants": flag.variantNames.joined(separator: ", "),
                "defaultVariant": flag.defaultVariant ?? "(code default)", "owner": flag.owner ?? "", "expires": flag.expires ?? "",
                "evaluations": lastDay[key]?.total ?? 0,
                "marks": findings.filter { $0.flagKey == key }.map { ["kind": $0.kind.rawValue, "detail": $0.detail] },
            ]
        }
        let errors = flags.reloadErrors
        let context: [String: Any?] = [
            "flags": rows, "environment": flags.environment, "reloadErrors": errors, "hasErrors": !errors.isEmpty,
        ]
        return renderer.page("flags", title: "Flags", actor: actor, context: context.compactMapValues { $0 })
    }

    private func detail(_ key: String, actor: String?) async throws -> Response {
        let evaluator = flags.evaluator
        guard let flag = evaluator.effective[key] else {
            return renderer.message("Not found", "There is no flag '\(key)'.", actor: actor, status: .notFound)
        }
        // Pins name users and the history names operators: only signed-in admins see them.
        let audit = actor == nil ? [] : try await flags.store.auditLog(flagKey: key, limit: 100)
        let when = ISO8601DateFormatter()
        let pins = (evaluator.runtime.pins[key] ?? [:]).sorted { $0.key.description < $1.key.description }
        let context: [String: Any?] = [
            "key": key, "state": flag.state.rawValue, "type": flag.type.rawValue, "description": flag.description,
            "owner": flag.owner, "expires": flag.expires, "source": "\(flag.source.file):\(flag.source.line)",
            "actor": actor,
            "nextState": flag.state == .enabled ? "DISABLED" : "ENABLED",
            "nextAction": flag.state == .enabled ? "Disable (kill switch)" : "Enable",
            "variants": flag.variantNames.map { ["name": $0, "value": JSONWriter.string(flag.variants[$0]!), "isDefault": $0 == flag.defaultVariant] },
            "scopes": flag.scopes.map(\.summary), "hasScopes": !flag.scopes.isEmpty,
            "targetingText": flag.targetingText,
            "targetingJSON": flag.targetingSource.map(JSONWriter.string),
            "environments": flag.environments, "hasEnvironments": !flag.environments.isEmpty,
            "pins": pins.map { pin -> [String: Any] in
                var row: [String: Any] = ["subject": pin.key.description, "variant": pin.value, "key": key]
                if let actor { row["actor"] = actor }
                return row
            },
            "audit": audit.map { entry -> [String: Any] in
                [
                    "when": when.string(from: Date(timeIntervalSince1970: Double(entry.at) / 1000)), "actor": entry.actor,
                    "action": entry.action, "subject": entry.subject ?? "", "before": entry.before ?? "—", "after": entry.after ?? "—",
                    "comment": entry.comment,
                ]
            },
        ]
        return renderer.page("flag", title: key, actor: actor, context: context.compactMapValues { $0 })
    }
}
