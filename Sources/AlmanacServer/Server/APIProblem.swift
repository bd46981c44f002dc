import Hummingbird

/// A domain's errors as the API answers them: each domain's error type conforms once (in its
/// edge folder), so routes throw and never catch to choose a status. The body is the one every
/// API error has, `{"error": ..., "field": ...}`, as the OpenAPI document's `Error` schema says.
public protocol APIProblem: HTTPResponseError {
    /// The request field the problem is about, when there is one.
    var fieldName: String? { get }
    /// What went wrong, without the field's name.
    var message: String { get }
}

extension APIProblem {
    public var fieldName: String? { nil }
    public var headers: HTTPFields { [:] }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.error(status, message, field: fieldName)
    }
}

extension APIProblem where Self: CustomStringConvertible {
    public var message: String { description }
}

/// Problems the edge itself finds, before any domain sees the request.
enum EdgeProblem: APIProblem, CustomStringConvertible {
    case notSignedIn(String)
    case notFound(String)

    var status: HTTPResponse.Status {
        switch self {
        case .notSignedIn: .unauthorized
        case .notFound: .notFound
        }
    }

    var description: String {
        switch self {
        case .notSignedIn(let why), .notFound(let why): why
        }
    }
}
