import AlmanacRuntime
import Hummingbird
import Logging

/// Fills in the caller from a token (the bootstrap admin token or a named API token), a
/// session cookie or a client key; the access groups decide what the caller may do. A
/// credential that matches nothing counts against its address, which is refused with 429
/// once it has failed too often.
struct CallerMiddleware: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    static let sessionCookie = "almanac_session"
    let service: AccessService
    let clientKeys: ClientKeys
    let throttle: SignInThrottle
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let credential = ClientKeys.credential(request) {
            if let wait = throttle.retryAfter(context.address) { return Self.throttled(request, wait) }
            if let person = try await service.identity(bearer: credential) {
                context.identity = .person(person)
            } else if let client = clientKeys.name(credential) {
                context.identity = .client(client)
            } else if !clientKeys.keys.isEmpty || !request.uri.path.hasPrefix("/ofrep/") {
                // Without client keys OFREP ignores credentials, so only other paths count failures.
                throttle.record(context.address)
                logger.notice("a credential matched nothing", metadata: ["address": "\(context.address)", "path": "\(request.uri.path)"])
            }
        } else if let secret = request.cookies[Self.sessionCookie]?.value, let person = try await service.identity(session: secret) {
            context.identity = .person(person)
        }
        return try await next(request, context)
    }

    static func throttled(_ request: Request, _ wait: Int) -> Response {
        let message = "too many failed attempts from this address; try again in \(wait) s"
        if request.uri.path.hasPrefix("/ofrep/") {
            return JSONResponse.make(.tooManyRequests, ["errorDetails": .string(message)], headers: [.retryAfter: String(wait)])
        }
        if request.uri.path.hasPrefix("/api/") {
            return JSONResponse.make(.tooManyRequests, ["error": .string(message)], headers: [.retryAfter: String(wait)])
        }
        var response = PageRenderer.message(status: .tooManyRequests, title: "Too many attempts", text: message)
        response.headers[.retryAfter] = String(wait)
        return response
    }
}
