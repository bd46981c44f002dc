import AlmanacAccess
import Crypto
import Foundation

/// Who a request comes from, once its credential is checked: a person signed in through the
/// provider, the bootstrap admin token, or a named API token, with what each may do.
public struct Identity: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable {
        case provider = "OpenID Connect"
        case adminToken = "admin token"
        case apiToken = "API token"
    }

    public var subject: String
    public var name: String
    public var method: Method
    public var grants: [AccessPolicy.Grant]

    public init(subject: String, name: String, method: Method, grants: [AccessPolicy.Grant]) {
        self.subject = subject
        self.name = name
        self.method = method
        self.grants = grants
    }

    /// How the audit log names the person: their name, how they signed in and, when it says
    /// more than the name, their subject at the provider.
    public var auditName: String {
        subject == name ? "\(name) (\(method.rawValue))" : "\(name) (\(method.rawValue), \(subject))"
    }

    public func allows(_ action: AccessPolicy.Action) -> Bool { AccessPolicy.allows(grants, action) }

    /// The highest role, for pages.
    public var role: AccessPolicy.Role? { grants.map(\.role).max() }
}

/// Random secrets and the hashes they are stored by.
enum Secret {
    /// 32 random bytes, base64url: sessions, states, nonces, API tokens.
    static func make(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + PKCE.base64URL(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// Secrets are long and random, so one round of SHA-256 keeps a stolen table useless.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hexadecimal
    }
}
