import AlmanacRuntime
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling: admin tokens (writes, pages), client keys (evaluation), and signed session
/// cookies for the web pages. Tokens are compared in constant time and never logged.
// Hand-written sessions: hummingbird-auth's SessionMiddleware keeps sessions in a persist
// driver, which several replicas would have to share; a cookie signed with a key derived from
// the admin tokens is accepted by every replica and needs no storage.
public struct Authenticator: Sendable {
    public enum ClientAccess: Sendable, Equatable {
        case allowed(name: String)
        /// No credentials where some are required (401).
        case missing
        /// Credentials that match nothing (403).
        case forbidden
    }

    static let cookieName = "almanac_session"
    static let apiKeyField = HTTPField.Name("X-API-Key")!
    static let sessionSeconds: Int64 = 12 * 3600

    let adminTokens: [String: String]
    let clientKeys: [String: String]
    private let sessionKey: SymmetricKey

    public init(adminTokens: [String: String], clientKeys: [String: String]) {
        self.adminTokens = adminTokens
        self.clientKeys = clientKeys
        // Sessions are signed with a key derived from the admin tokens: every replica with the
        // same tokens accepts them, and changing the tokens ends every session.
        let secret = adminTokens.keys.sorted().joined(separator: "\u{0}")
        sessionKey = SymmetricKey(data: SHA256.hash(data: Data(("almanac-session\u{0}" + secret).utf8)))
    }

    /// The credential in `Authorization: Bearer` or `X-API-Key`.
    static func credential(_ request: Request) -> String? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        if let key = request.headers[Self.apiKeyField] { return key }
        return nil
    }

    /// Who the request's credentials name, each matched once: an admin token in the headers,
    /// an admin's session cookie, or (when keys are configured) a client key.
    func caller(_ request: Request) -> Caller? {
        let credential = Self.credential(request)
        if let credential, let name = Self.match(credential, in: adminTokens) { return Caller(name: name, role: .admin) }
        if let actor = sessionActor(request) { return Caller(name: actor, role: .admin) }
        if let credential, !clientKeys.isEmpty, let name = Self.match(credential, in: clientKeys) { return Caller(name: name, role: .client) }
        return nil
    }

    func client(_ request: Request) -> ClientAccess {
        let credential = Self.credential(request)
        if let credential, let name = Self.match(credential, in: adminTokens) { return .allowed(name: name) }
        if clientKeys.isEmpty { return .allowed(name: "anonymous") }
        guard let credential else { return .missing }
        if let name = Self.match(credential, in: clientKeys) { return .allowed(name: name) }
        return .forbidden
    }

    /// The admin actor for a login with `token`, or nil.
    func login(token: String) -> String? { Self.match(token, in: adminTokens) }

    private static func match(_ credential: String, in table: [String: String]) -> String? {
        var found: String?
        for (token, name) in table where constantTimeEqual(token, credential) { found = name }
        return found
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }

    /// `actor.expiry.signature`, with the actor base64url-encoded.
    func sessionCookie(actor: String, now: Int64) -> String {
        let payload =
            Data(actor.utf8).base64EncodedString().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-")
            + "." + String(now + Self.sessionSeconds)
        return payload + "." + signature(payload)
    }

    private func signature(_ payload: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: sessionKey).map { String(format: "%02x", $0) }.joined()
    }

    private func sessionActor(_ request: Request) -> String? {
        guard let cookie = request.cookies[Self.cookieName]?.value else { return nil }
        let parts = cookie.split(separator: ".")
        guard parts.count == 3, let expiry = Int64(parts[1]), expiry > WallClock.seconds() else { return nil }
        let payload = "\(parts[0]).\(parts[1])"
        guard Self.constantTimeEqual(signature(payload), String(parts[2])) else { return nil }
        let encoded = parts[0].replacingOccurrences(of: "_", with: "/").replacingOccurrences(of: "-", with: "+")
        guard let data = Data(base64Encoded: encoded) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
