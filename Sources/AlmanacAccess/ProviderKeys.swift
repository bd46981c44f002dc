import Foundation
import JWTKit

/// Why a token from the provider is refused, said so a person can act on it; the token itself
/// is never part of the message.
public enum TokenRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case algorithm(String)
    /// The provider signed with a key Almanac has not seen: the keys are fetched again once.
    case unknownKey(String)
    case signature
    case claims(IDTokenClaims.Refusal)

    public var description: String {
        switch self {
        case .malformed(let why): "the token is malformed: \(why)"
        case .algorithm(let alg): "the token's algorithm \(alg) is not accepted"
        case .unknownKey(let kid): "the token is signed with key \(kid), which the provider does not list"
        case .signature: "the token's signature does not verify"
        case .claims(let refusal): refusal.description
        }
    }
}

/// The provider's signing keys from its JWKS document, by `kid`. The signature check is
/// jwt-kit's; choosing the key is done here, because jwt-kit falls back to its first key for
/// an unknown `kid` and takes the algorithm from the token's own header.
public struct ProviderKeys: Sendable {
    /// Asymmetric algorithms only: `none` and the HMAC family (which would let a token signed
    /// with the public key pass) are never accepted.
    public static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    let keys: [String: JWK]

    public var identifiers: [String] { keys.keys.sorted() }

    /// The signing keys of a JWKS document; keys meant for encryption are left out.
    public init(jwks: Data) throws(TokenRefusal) {
        struct Document: Decodable {
            struct Key: Decodable {
                var use: String?
            }
            var keys: [Key]
        }
        let document: Document
        let parsed: JWKS
        do {
            document = try JSONDecoder().decode(Document.self, from: jwks)
            parsed = try JSONDecoder().decode(JWKS.self, from: jwks)
        } catch {
            throw .malformed("the provider's JWKS cannot be read (\(error))")
        }
        var keys: [String: JWK] = [:]
        for (key, use) in zip(parsed.keys, document.keys.map(\.use)) where use != "enc" {
            keys[key.keyIdentifier?.string ?? ""] = key
        }
        self.keys = keys
    }

    /// The claims of a token whose signature verifies with the key its header names.
    public func verify(_ token: String) async throws(TokenRefusal) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let claims = Self.json(parts[1]) else {
            throw .malformed("not three base64url JSON parts")
        }
        let alg = header["alg"] as? String ?? "none"
        guard Self.algorithms.contains(alg), let algorithm = JWK.Algorithm(rawValue: alg) else { throw .algorithm(alg) }
        let kid = header["kid"] as? String ?? ""
        guard let key = keys[kid] else { throw .unknownKey(kid.isEmpty ? "(none)" : kid) }
        guard Self.fits(algorithm, key) else { throw .algorithm("\(alg) with a \(key.keyType.rawValue) key") }
        do {
            let collection = JWTKeyCollection()
            var chosen = key
            chosen.algorithm = algorithm
            chosen.keyIdentifier = JWKIdentifier(string: kid)
            try await collection.add(jwk: chosen)
            _ = try await collection.verify(token, as: SignatureOnly.self)
        } catch {
            throw .signature
        }
        return claims
    }

    /// Whether the algorithm belongs to the key's type, and is the key's own when it names one.
    static func fits(_ algorithm: JWK.Algorithm, _ key: JWK) -> Bool {
        if let own = key.algorithm, own != algorithm { return false }
        switch algorithm.rawValue.prefix(2) {
        case "RS", "PS": return key.keyType == .rsa
        case "ES": return key.keyType == .ecdsa
        default: return key.keyType == .octetKeyPair
        }
    }

    static func json(_ part: Substring) -> [String: Any]? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: text) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

/// jwt-kit checks the signature only; the claims are checked by `IDTokenClaims`, which says why.
struct SignatureOnly: JWTPayload {
    func verify(using algorithm: some JWTAlgorithm) throws {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
}
