import AlmanacRuntime
import HTTPTypes
import Hummingbird

/// The client keys OFREP callers present; without any configured, evaluation is open.
struct ClientKeys: Sendable {
    enum Access: Sendable, Equatable {
        case allowed(name: String)
        /// No credentials where some are required (401).
        case missing
        /// Credentials that match nothing (403).
        case forbidden
    }

    static let apiKeyField = HTTPField.Name("X-API-Key")!
    let keys: [String: String]

    /// The credential in `Authorization: Bearer` or `X-API-Key`.
    static func credential(_ request: Request) -> String? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return request.headers[Self.apiKeyField]
    }

    /// The client a key names; nil when it names none (or no keys are configured).
    func name(_ credential: String) -> String? {
        keys.isEmpty ? nil : AccessService.match(credential, in: keys)
    }

    func access(_ credential: String?) -> Access {
        if keys.isEmpty { return .allowed(name: "anonymous") }
        guard let credential else { return .missing }
        return name(credential).map { .allowed(name: $0) } ?? .forbidden
    }
}
