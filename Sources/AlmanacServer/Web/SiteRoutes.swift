import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird

/// The routes that belong to no domain: the home page, health, and signing in and out with an
/// admin token (a signed cookie, so every replica with the same tokens accepts it).
struct SiteRoutes: Sendable {
    let auth: Authenticator
    let database: Database
    let renderer: PageRenderer
    let maximumBodyBytes: Int
    let domains: [any Domain]

    func add(to groups: AccessGroups) {
        let open = groups.open
        open.get("/") { _, context in
            var sections: [AttentionSection] = []
            for domain in domains { sections += await domain.attention() }
            return renderer.page("home", title: "Home", actor: context.actor, context: HomePage(sections))
        }
        open.get("/healthz") { _, _ in Self.plain(.ok, "ok\n") }
        open.get("/api/openapi.json") { _, _ in OpenAPIDocument.response() }
        open.get("/readyz") { _, _ in
            do {
                try await database.ping()
                return Self.plain(.ok, "ready\n")
            } catch {
                return Self.plain(.serviceUnavailable, "database unavailable\n")
            }
        }
        open.get("/login") { _, context in renderer.page("login", title: "Sign in", actor: context.actor, context: SignInPage(error: nil)) }
        open.post("/login") { request, _ in
            let form = try await request.formFields(limit: maximumBodyBytes)
            guard let tokenName = auth.login(token: form["token"] ?? "") else {
                return renderer.page(
                    "login", title: "Sign in", actor: nil, context: SignInPage(error: "That token is not valid."), status: .unauthorized)
            }
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces).prefix(80)
            let actor = name.isEmpty ? tokenName : "\(name) (\(tokenName))"
            let cookie = auth.sessionCookie(actor: actor, now: WallClock.seconds())
            return PageRenderer.redirect(
                "/", cookie: "\(Authenticator.cookieName)=\(cookie); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Authenticator.sessionSeconds)")
        }
        open.post("/logout") { _, _ in
            PageRenderer.redirect("/", cookie: "\(Authenticator.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
        }
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let loginTemplate = """
        <h1>Sign in</h1>{{#error}}<p class="errors">{{error}}</p>{{/error}}
        <form method="post" action="/login"><p><label>Your name <input name="name" autocomplete="name"></label></p>
        <p><label>Admin token <input name="token" type="password" required></label></p><button type="submit">Sign in</button></form>
        """
}

/// What the sign-in page reads.
struct SignInPage {
    var error: String?
}
