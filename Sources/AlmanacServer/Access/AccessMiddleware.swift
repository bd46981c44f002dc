import AlmanacAccess
import AlmanacConfig
import AlmanacRuntime
import HTTPTypes
import Hummingbird

// hummingbird-auth's IsAuthenticatedMiddleware and AuthorizationPolicyMiddleware answer with
// Hummingbird's own error body; Almanac's API answers `{"error": ...}`, OFREP its own error
// body, and pages a redirect to the sign-in page or a 403 page, so each group keeps its own check.

/// How a refusal reads: JSON for the API, a page (or the way to sign in) for people.
enum Refusal {
    static func unauthenticated(_ request: Request) -> Response {
        if request.uri.path.hasPrefix("/api/") { return JSONResponse.error(.unauthorized, "sign in, or send a token (Authorization: Bearer)") }
        let next = request.method == .get ? request.uri.path : "/"
        return PageRenderer.redirect("/login?next=" + URLEncoding.component(next))
    }

    static func forbidden(_ request: Request, _ person: Identity, _ why: String) -> Response {
        if request.uri.path.hasPrefix("/api/") { return JSONResponse.error(.forbidden, why) }
        return PageRenderer.forbidden(person: person.auditName, why: why)
    }
}

/// Pages and API reads: anyone with a role, or anyone at all on a path `access.yaml` makes public.
struct RequireViewer: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    let service: AccessService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if service.policy.isPublic(request.uri.path) { return try await next(request, context) }
        guard let person = context.person else { return Refusal.unauthenticated(request) }
        guard person.allows(.read) else {
            return Refusal.forbidden(request, person, "access.yaml grants \(person.name) no role; ask an admin for viewer at least")
        }
        return try await next(request, context)
    }
}

/// The one authorisation check every write goes through: the route's action, resolved from its
/// parameters, against the caller's grants. Form posts must also come from this site (browsers
/// send `Sec-Fetch-Site`; the session cookie is SameSite=Lax besides).
struct Authorize: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!
    let action: ActionResolver
    var admitsClients = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if admitsClients, context.identity?.client != nil { return try await next(request, context) }
        guard let person = context.person else { return Refusal.unauthenticated(request) }
        if request.headers[Self.fetchSite] == "cross-site" { return Refusal.forbidden(request, person, "a change must come from this site") }
        let wanted = try await action(request, context)
        guard person.allows(wanted) else { return Refusal.forbidden(request, person, Self.needs(wanted)) }
        return try await next(request, context)
    }

    static func needs(_ action: AccessPolicy.Action) -> String {
        switch action {
        case .read: "this needs the viewer role"
        case .changeFlag(let team): "this flag belongs to \(team ?? "no team"): it needs an operator of that team or an admin"
        case .rollout(let environment): "this needs an operator of \(environment.isEmpty ? "the environment" : environment) or an admin"
        case .operate(let team): team.map { "this needs an operator of \($0) or an admin" } ?? "this needs the operator role"
        case .administer: "this needs the admin role"
        }
    }
}

/// OFREP: a client key when keys are configured (401 without one, 403 with a wrong one, as the
/// protocol defines), and the per-client rate. People with a role may evaluate too.
struct RequireClient: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    let keys: ClientKeys
    let limiter: RateLimiter
    /// OFREP names its error `errorDetails`; Almanac's own API for clients (events) says `error`.
    var errorKey = "errorDetails"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client: String
        if let name = context.identity?.client {
            client = name
        } else if let person = context.person {
            client = person.name
        } else {
            switch keys.access(ClientKeys.credential(request)) {
            case .missing: return JSONResponse.make(.unauthorized, [errorKey: "a client key is required (Authorization: Bearer or X-API-Key)"])
            case .forbidden: return JSONResponse.make(.forbidden, [errorKey: "the client key is not valid"])
            case .allowed(let name): client = name
            }
        }
        if let wait = limiter.retryAfter(client: client) {
            return JSONResponse.make(.tooManyRequests, [errorKey: "rate limit reached"], headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }
}
