import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with S256, the only method Almanac sends: the
/// challenge is the unpadded base64url of SHA-256 of the verifier.
public enum PKCE {
    /// A verifier of 43 characters from 32 random bytes (RFC 7636 §4.1 asks for 43 to 128).
    public static func verifier<G: RandomNumberGenerator>(using generator: inout G) -> String {
        base64URL(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    public static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
