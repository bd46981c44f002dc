import AlmanacConfig
import Foundation

/// The provider's discovery document (OpenID Connect Discovery 1.0 §3), checked as §4.3 says:
/// its issuer must be exactly the one configured.
public struct ProviderMetadata: Sendable, Hashable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var endSessionEndpoint: String?
    public var tokenAuthMethods: [String]

    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case unreadable(String)
        case issuer(expected: String, got: String)
        public var description: String {
            switch self {
            case .unreadable(let why): "the provider's discovery document cannot be used: \(why)"
            case .issuer(let expected, let got): "the provider says its issuer is \(got), not \(expected)"
            }
        }
    }

    public static func parse(_ data: Data, issuer expected: String) throws(Problem) -> ProviderMetadata {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw .unreadable("not a JSON object") }
        func field(_ name: String) throws(Problem) -> String {
            guard let value = object[name] as? String, !value.isEmpty else { throw .unreadable("no '\(name)'") }
            return value
        }
        let issuer = try field("issuer")
        guard issuer == expected else { throw .issuer(expected: expected, got: issuer) }
        return ProviderMetadata(
            issuer: issuer, authorizationEndpoint: try field("authorization_endpoint"), tokenEndpoint: try field("token_endpoint"),
            jwksURI: try field("jwks_uri"), endSessionEndpoint: object["end_session_endpoint"] as? String,
            tokenAuthMethods: object["token_endpoint_auth_methods_supported"] as? [String] ?? ["client_secret_basic"])
    }

    /// Where the browser is sent to sign in: the code flow with PKCE S256, state and nonce.
    public func authorizationURL(client: String, redirect: String, state: String, nonce: String, challenge: String) -> String {
        Self.url(
            authorizationEndpoint,
            [
                ("response_type", "code"), ("client_id", client), ("redirect_uri", redirect), ("scope", "openid profile email"),
                ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ])
    }

    /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when the provider offers it.
    public func logoutURL(idToken: String?, client: String, returnTo: String) -> String? {
        guard let endSessionEndpoint else { return nil }
        var query = [("client_id", client), ("post_logout_redirect_uri", returnTo)]
        if let idToken { query.append(("id_token_hint", idToken)) }
        return Self.url(endSessionEndpoint, query)
    }

    public static func url(_ base: String, _ query: [(String, String)]) -> String {
        base + (base.contains("?") ? "&" : "?") + URLEncoding.pairs(query)
    }

    /// The ID token of a token endpoint's answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
    public static func idToken(fromTokenResponse data: Data) throws(TokenRefusal) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .malformed("the token endpoint's answer is not JSON")
        }
        if let error = object["error"] as? String { throw .malformed("the token endpoint answered \(error)") }
        guard let token = object["id_token"] as? String else { throw .malformed("the token endpoint sent no id_token") }
        return token
    }
}
