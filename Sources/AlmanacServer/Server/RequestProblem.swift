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

extension Parameters {
    /// A path parameter as the name it stands for: links percent-encode names (`HTML.link`), and
    /// Hummingbird hands parameters over as they came.
    func decoded(_ key: String) throws -> String {
        let raw = try require(key)
        guard let name = raw.removingPercentEncoding else { throw HTTPError(.badRequest, message: "\(key) is not percent-encoded properly") }
        return name
    }
}
