import Hummingbird

/// A request field that is missing or wrong; thrown from a handler, it answers 400 with the
/// same JSON body as every other error (`{"error": ..., "field": ...}`).
struct RequestProblem: Error, HTTPResponseError {
    var field: String
    var message: String
    init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    var status: HTTPResponse.Status { .badRequest }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.error(.badRequest, message, field: field.isEmpty ? nil : field)
    }
}
