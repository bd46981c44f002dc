import Foundation
import Hummingbird

/// A request field that is missing or wrong; thrown from a handler, it answers 400 with the
/// same JSON body as every other error (`{"error": ..., "field": ...}`).
struct RequestProblem: APIProblem {
    var fieldName: String?
    var message: String
    init(_ field: String, _ message: String) {
        fieldName = field.isEmpty ? nil : field
        self.message = message
    }

    var status: HTTPResponse.Status { .badRequest }

    /// Names the field a body's decoding stopped at, with what it expected there.
    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): self.init(path(context, key), "required")
        case .valueNotFound(_, let context): self.init(path(context), "must not be null")
        case .typeMismatch(let type, let context):
            let field = path(context)
            self.init(field, field.isEmpty ? "body must be a JSON object" : "must be \(Self.name(of: type))")
        case .dataCorrupted(let context):
            let field = path(context)
            self.init(field, field.isEmpty ? "body is not valid JSON" : context.debugDescription)
        @unknown default: self.init("", "body cannot be read: \(error)")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        default: type is any Collection.Type ? "a list" : "an object"
        }
    }
}

extension Request {
    /// The body as `Body`, at most `limit` bytes; a body that does not fit answers 400 naming the field.
    func decode<Body: Decodable>(_ type: Body.Type, limit: Int) async throws -> Body {
        let bytes = try await collectBody(limit: limit)
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw RequestProblem(error)
        }
    }
}

/// Validation inside a request type's `init(from:)`, reported against the field it concerns.
func invalid<Key: CodingKey>(_ key: Key, in container: KeyedDecodingContainer<Key>, _ message: String) -> DecodingError {
    DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
}

extension Parameters {
    /// A path parameter as the name it stands for: links percent-encode names (`HTML.link`), and
    /// Hummingbird hands parameters over as they came.
    func decoded(_ key: String) throws -> String {
        let raw = try require(key)
        guard let name = raw.removingPercentEncoding else { throw RequestProblem(key, "\(key) is not percent-encoded properly") }
        return name
    }
}
