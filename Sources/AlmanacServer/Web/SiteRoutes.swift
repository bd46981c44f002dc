import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird
import Logging

/// The routes that belong to no domain: the home page, health, and signing in and out.
struct SiteRoutes: Sendable {
    let access: AccessService
    let cookies: SessionCookies
    let throttle: SignInThrottle
    /// Sign-ins started per address: each keeps a row until it finishes or goes stale.
    let starts: SignInThrottle
    let database: Database
    let renderer: PageRenderer
    let maximumBodyBytes: Int
    let domains: [any Domain]
    let clock: WallClock
    let logger: Logger

    func add(to groups: AccessGroups) {
        let open = groups.open
        groups.viewers.get("/") { _, context in
            var sections: [AttentionSection] = []
            for domain in domains { sections += await domain.attention() }
            return renderer.page("home", title: "Home", actor: context.actor, context: HomePage(sections, now: clock.date()))
        }
        SearchPage.add(to: groups, renderer: renderer, domains: domains)
        open.get("/healthz") { _, _ in Self.plain(.ok, "ok\n") }
        groups.viewers.get("/api/openapi.json") { _, _ in OpenAPIDocument.response() }
        open.get("/readyz") { _, _ in
            do {
                try await database.ping()
                return Self.plain(.ok, "ready\n")
            } catch {
                return Self.plain(.serviceUnavailable, "database unavailable\n")
            }
        }
        open.get("/login") { request, context in signInPage(next: request.uri.queryParameters["next"].map(String.init) ?? "/", context: context) }
        open.post("/login") { request, context in try await signIn(request, context) }
        open.get("/auth/signin") { request, context in
            if let wait = throttle.retryAfter(context.address) ?? starts.retryAfter(context.address) {
                return CallerMiddleware.throttled(request, wait)
            }
            starts.record(context.address)
            let next = request.uri.queryParameters["next"].map(String.init) ?? "/"
            do {
                let (url, browser) = try await access.beginSignIn(returnTo: next, siteURL: cookies.siteURL(request))
                return PageRenderer.redirect(url, cookie: cookies.signIn(browser))
            } catch let error as SignInError {
                logger.warning("sign-in could not start", metadata: ["reason": "\(error)"])
                return renderer.message("Sign-in failed", error.description, actor: nil, status: .badGateway)
            }
        }
        open.get("/auth/callback") { request, context in try await callback(request, context) }
        open.post("/logout") { request, _ in
            var location = "/login"
            if let secret = request.cookies[CallerMiddleware.sessionCookie]?.value {
                location = try await access.endSession(secret, returnTo: cookies.siteURL(request) + "/login") ?? location
            }
            return PageRenderer.redirect(location, cookie: cookies.ended())
        }
    }

    private func signInPage(next: String, context: AlmanacRequestContext, error: String? = nil) -> Response {
        let provider = access.policy.provider.map { URL(string: $0.issuer)?.host ?? $0.issuer }
        let page = SignInPage(error: error, provider: provider, next: AccessService.localPath(next))
        return renderer.page("login", title: "Sign in", actor: context.actor, context: page, status: error == nil ? .ok : .unauthorized)
    }

    /// Signing in with a token: the bootstrap admin token or a named API token.
    private func signIn(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        if let wait = throttle.retryAfter(context.address) { return CallerMiddleware.throttled(request, wait) }
        let form = try await request.formFields(limit: maximumBodyBytes)
        guard var person = try await access.identity(bearer: form["token"] ?? "") else {
            throttle.record(context.address)
            logger.notice("a sign-in with a token failed", metadata: ["address": "\(context.address)"])
            return signInPage(next: form["next"] ?? "/", context: context, error: "That token is not valid.")
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces).prefix(80)
        if !name.isEmpty { person.name = String(name) }
        return try await started(person, idToken: "", request: request, returnTo: form["next"] ?? "/")
    }

    /// The provider sent the browser back: finish the sign-in, or say why not.
    private func callback(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        if let wait = throttle.retryAfter(context.address) { return CallerMiddleware.throttled(request, wait) }
        let query = request.uri.queryParameters
        if let error = query["error"] {
            return renderer.message("Sign-in failed", "The provider answered \(error).", actor: nil, status: .forbidden)
        }
        do {
            let (secret, person, returnTo) = try await access.finishSignIn(
                code: query["code"].map(String.init) ?? "", state: query["state"].map(String.init) ?? "",
                browser: request.cookies[SessionCookies.signInCookie]?.value)
            return try await replaced(secret, request: request, returnTo: returnTo, person: person)
        } catch let error as SignInError {
            throttle.record(context.address)
            logger.warning("a sign-in was refused", metadata: ["address": "\(context.address)", "reason": "\(error)"])
            // A state that is not this browser's is a bad request; a refused token is forbidden.
            let status: HTTPResponse.Status = if case .state = error { .badRequest } else { .forbidden }
            return renderer.message("Sign-in refused", error.description, actor: nil, status: status)
        }
    }

    private func started(_ person: Identity, idToken: String, request: Request, returnTo: String) async throws -> Response {
        try await replaced(try await access.startSession(person, idToken: idToken), request: request, returnTo: returnTo, person: person)
    }

    /// A new session at every sign-in: the one the browser had before ends.
    private func replaced(_ secret: String, request: Request, returnTo: String, person: Identity) async throws -> Response {
        if let old = request.cookies[CallerMiddleware.sessionCookie]?.value { _ = try await access.endSession(old, returnTo: "/") }
        logger.info("signed in", metadata: ["person": "\(person.auditName)"])
        return PageRenderer.redirect(AccessService.localPath(returnTo), cookies: [cookies.session(secret), cookies.signInEnded()])
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static let loginTemplate = """
        <h1>Sign in</h1>{{#error}}<p class="errors" id="error">{{error}}</p>{{/error}}
        {{#provider}}<p><a id="provider" href="/auth/signin?next={{next}}">Sign in with {{provider}}</a></p>{{/provider}}
        <form method="post" action="/login"><input type="hidden" name="next" value="{{next}}">
        <p><label>Your name <input name="name" autocomplete="name"></label></p>
        <p><label>Token <input name="token" type="password" required></label></p><button type="submit">Sign in with a token</button></form>
        """
}

/// What the sign-in page reads.
struct SignInPage {
    var error: String?
    var provider: String?
    var next: String
}

/// The cookies of signing in: the session (opaque, HttpOnly, SameSite=Lax so that it comes
/// back after the provider's redirect, `Secure` when people reach the server over HTTPS) and
/// the short-lived one binding a sign-in to its browser.
struct SessionCookies: Sendable {
    static let signInCookie = "almanac_signin"
    /// Where people reach the server, when told (behind a proxy).
    let publicURL: String?

    var secure: Bool { publicURL?.hasPrefix("https://") ?? false }
    private var flags: String { "HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "") }

    func session(_ secret: String) -> String {
        "\(CallerMiddleware.sessionCookie)=\(secret); Path=/; \(flags); Max-Age=\(AccessService.sessionSeconds)"
    }
    func ended() -> String { "\(CallerMiddleware.sessionCookie)=; Path=/; \(flags); Max-Age=0" }
    func signIn(_ secret: String) -> String { "\(Self.signInCookie)=\(secret); Path=/auth; \(flags); Max-Age=600" }
    func signInEnded() -> String { "\(Self.signInCookie)=; Path=/auth; \(flags); Max-Age=0" }

    /// This server's address as the browser used it, for the redirect URI when none is configured.
    func siteURL(_ request: Request) -> String { Self.siteURL(request, publicURL: publicURL) }

    static func siteURL(_ request: Request, publicURL: String?) -> String {
        publicURL ?? "http://" + (request.head.authority ?? "127.0.0.1")
    }
}
