import AlmanacAccess
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import Hummingbird

/// The access page: who is signed in with which grants, the API tokens (listed without their
/// secrets, revoked with a button), and a form that makes one and shows its secret once.
struct AccessPages: Sendable {
    let service: AccessService
    let renderer: PageRenderer
    let maximumBodyBytes: Int
    static let templates = ["access": template]

    func add(to groups: AccessGroups) {
        groups.admins.get("/access") { _, context in try await page(context, created: nil, error: nil) }
        groups.admins.post("/access/tokens") { request, context in
            let form = try await request.formFields(limit: maximumBodyBytes)
            func names(_ field: String) -> [String]? {
                let names = (form[field] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return names.isEmpty ? nil : names
            }
            let days = form["days"].flatMap { $0.isEmpty ? nil : $0 }
            let asked: TokenRequest
            do throws(RequestProblem) {
                guard days == nil || Int(days ?? "") != nil else { throw RequestProblem("days", "must be a whole number of days from 1 to 366") }
                asked = try TokenRequest(
                    name: form["name"], role: form["role"], days: days.flatMap { Int($0) }, environments: names("environments"), teams: names("teams")
                )
            } catch {
                return try await page(context, created: nil, error: "\(error.fieldName ?? ""): \(error.message)", status: .badRequest)
            }
            let (_, secret) = try await service.createToken(name: asked.name, grant: asked.grant, days: asked.days, by: try context.requirePerson())
            return try await page(context, created: secret, error: nil)
        }
        groups.admins.post("/access/tokens/:id/revoke") { _, context in
            guard let id = Int64(try context.parameters.require("id")), try await service.revokeToken(id: id, by: try context.requirePerson()) else {
                throw HTTPError(.notFound, message: "no token to revoke")
            }
            return PageRenderer.redirect("/access")
        }
    }

    private func page(_ context: AlmanacRequestContext, created: String?, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let rows = try await service.tokens().map { token -> [String] in
            let record = TokenRecord(token)
            let revoke =
                record.revoked == nil
                ? "<form class=\"inline\" method=\"post\" action=\"/access/tokens/\(record.id)/revoke\"><button>Revoke</button></form>" : ""
            return [
                HTML.escape(record.name), HTML.escape(record.grant), HTML.escape(record.createdBy), record.created, record.expires,
                record.revoked.map { "revoked \($0)" } ?? revoke,
            ]
        }
        let person = try context.requirePerson()
        let policy = service.policy
        let view = View(
            person: person.auditName, grants: person.grants.map(\.summary).joined(separator: "; "),
            provider: policy.provider?.issuer ?? "none (tokens only)", publicPaths: policy.publicPaths.joined(separator: ", "),
            error: error ?? service.files.error, created: created,
            table: ChecksPages.table(["Name", "Grant", "Made by", "Made", "Expires", ""], rows, id: "tokens"))
        return renderer.page("access", title: "Access", actor: context.actor, context: view, status: status)
    }

    struct View {
        var person: String
        var grants: String
        var provider: String
        var publicPaths: String
        var error: String?
        var created: String?
        var table: String
    }

    static let template = """
        <h1>Access</h1>{{#error}}<p class="errors" id="error">{{error}}</p>{{/error}}
        <p>You are <b>{{person}}</b>: {{grants}}. Provider: {{provider}}. Public paths: {{publicPaths}}{{^publicPaths}}none{{/publicPaths}}.</p>
        {{#created}}<p id="created">The new token, shown this once: <code>{{created}}</code></p>{{/created}}
        <h2>API tokens</h2>{{{table}}}
        <h2>New token</h2><form method="post" action="/access/tokens">
        <label>Name <input name="name" required maxlength="80"></label>
        <label>Role <select name="role"><option>viewer</option><option>operator</option><option>admin</option></select></label>
        <label>Environments <input name="environments" placeholder="staging"></label>
        <label>Teams <input name="teams" placeholder="team-web"></label>
        <label>Days <input name="days" value="90" size="4"></label> <button>Make token</button></form>
        """
}
