import AlmanacConfig
import HTTPTypes
import Hummingbird

// hummingbird-auth's IsAuthenticatedMiddleware and AuthorizationPolicyMiddleware answer with
// Hummingbird's own error body; Almanac's API answers `{"error": ...}`, OFREP its own error
// body, and pages a redirect to the sign-in page, so each group keeps its own small check.

/// The API's writes and reads: an admin token, or an admin's session.
struct RequireAdmin: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity?.role == .admin else { return JSONResponse.error(.unauthorized, "an admin token is required") }
        return try await next(request, context)
    }
}

/// Pins: admins, and applications with a client key (when keys are configured), so an app can
/// let its users opt in or out.
struct RequirePinWriter: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity != nil else { return JSONResponse.error(.unauthorized, "an admin token or a client key is required") }
        return try await next(request, context)
    }
}

/// OFREP: a client key when keys are configured (401 without one, 403 with a wrong one, as the
/// protocol defines), and the per-client rate.
struct RequireClient: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    let auth: Authenticator
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A client key was matched once already, by the caller authenticator.
        if let caller = context.identity, caller.role == .client { return try await admitted(caller.name, request, context, next) }
        let client: String
        switch auth.client(request) {
        case .missing: return JSONResponse.make(.unauthorized, ["errorDetails": "a client key is required (Authorization: Bearer or X-API-Key)"])
        case .forbidden: return JSONResponse.make(.forbidden, ["errorDetails": "the client key is not valid"])
        case .allowed(let name): client = name
        }
        return try await admitted(client, request, context, next)
    }

    /// The per-client rate, then the route.
    private func admitted(
        _ client: String, _ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let wait = limiter.retryAfter(client: client) {
            return JSONResponse.make(.tooManyRequests, ["errorDetails": "rate limit reached"], headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}

/// Form posts from the pages: a signed-in admin, from this site (the one CSRF check: browsers
/// send `Sec-Fetch-Site`, and the session cookie is SameSite=Strict besides).
struct RequireSignedInForm: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.actor != nil else { return PageRenderer.redirect("/login") }
        if request.headers[Self.fetchSite] == "cross-site" { return Response(status: .forbidden) }
        return try await next(request, context)
    }
}
