import AlmanacStorage
import Hummingbird
import Logging

/// While PostgreSQL cannot be reached, a request that needs it answers 503 with what is wrong
/// and when to try again (JSON for the API, a page for people), instead of a bare 500; what
/// is served from memory (flag evaluation, health) goes on answering.
struct DatabaseOutageMiddleware: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    static let retrySeconds = 5
    static let message = "The database cannot be reached, so this cannot be answered now. Nothing acknowledged was lost; try again shortly."

    let renderer: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch  where DatabaseError.isUnreachable(error) {
            logger.warning("answered 503: the database cannot be reached", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            let path = request.uri.path
            var response =
                path.hasPrefix("/api/") || path.hasPrefix("/ofrep/")
                ? JSONResponse.error(.serviceUnavailable, Self.message)
                : renderer.message("Database unreachable", Self.message, actor: context.actor, status: .serviceUnavailable)
            response.headers[.retryAfter] = String(Self.retrySeconds)
            return response
        }
    }
}
