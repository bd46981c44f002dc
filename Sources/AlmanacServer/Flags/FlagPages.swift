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
        let changers = groups.writers(FlagService.teamResolver(flags))
        groups.viewers.get("/flags") { _, context in try await list(actor: context.actor) }
        groups.viewers.get("/flags/:key") { _, context in
            try await detail(try context.parameters.require("key"), actor: context.actor)
        }
        changers.post("/flags/:key/state") { request, context in
            try await act(request, context) { key, form in
                let state = form["state"].flatMap(FlagState.init(rawValue:))
                return state.map { .setState(flagKey: key, state: $0) }
            }
        }
        changers.post("/flags/:key/pin") { request, context in
            try await act(request, context) { key, form in
                guard let subject = form["subject"].flatMap(PinSubject.init), let variant = form["variant"] else { return nil }
                return .pin(flagKey: key, subject: subject, variant: variant)
            }
        }
        changers.post("/flags/:key/unpin") { request, context in
            try await act(request, context) { key, form in
                form["subject"].flatMap(PinSubject.init).map { .unpin(flagKey: key, subject: $0) }
            }
        }
    }

    /// A form post from a flag's page (the one authorisation check let the flag's team in, from this site), then
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
            return renderer.message("Not changed", problem.description, actor: actor, status: problem.status)
        }
        return PageRenderer.redirect("/flags/\(key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key)")
    }

    private func list(actor: String?) async throws -> Response {
        let page = FlagListPage(try await flags.overview(), environment: flags.environment, reloadErrors: flags.reloadErrors)
        return renderer.page("flags", title: "Flags", actor: actor, context: page)
    }

    private func detail(_ key: String, actor: String?) async throws -> Response {
        let evaluator = flags.evaluator
        guard let flag = evaluator.effective[key] else {
            return renderer.message("Not found", "There is no flag '\(key)'.", actor: actor, status: .notFound)
        }
        let audit = actor == nil ? [] : try await flags.auditLog(flagKey: key, limit: 100)
        let page = FlagDetailPage(
            flag, pins: evaluator.runtime.pins[key] ?? [:], ramp: evaluator.runtime.ramps[key], audit: audit, actor: actor,
            now: flags.clock.milliseconds())
        return renderer.page("flag", title: key, actor: actor, context: page)
    }
}
