import Foundation

/// What Almanac keeps of a verified ID token: who the person is and the names that grant roles.
public struct SignedInPerson: Sendable, Hashable, Codable {
    public var subject: String
    public var name: String
    public var username: String?
    public var email: String?
    /// Keycloak's realm roles and this client's roles, a `groups` claim (with and without a
    /// leading slash, since Keycloak sends group paths) and a plain `roles` claim.
    public var roleNames: [String]

    public init(subject: String, name: String, username: String? = nil, email: String? = nil, roleNames: [String] = []) {
        self.subject = subject
        self.name = name
        self.username = username
        self.email = email
        self.roleNames = roleNames
    }

    /// Checks the claims of a token whose signature verified, and reads the person from them.
    public static func read(
        _ claims: [String: Any], issuer: String, client: String, nonce: String, now: Int64
    ) throws(TokenRefusal) -> SignedInPerson {
        guard let iss = claims["iss"] as? String, let sub = claims["sub"] as? String, !sub.isEmpty else {
            throw .malformed("no 'iss' or 'sub'")
        }
        let audiences = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        guard let exp = (claims["exp"] as? NSNumber)?.int64Value, let iat = (claims["iat"] as? NSNumber)?.int64Value else {
            throw .malformed("no numeric 'exp' or 'iat'")
        }
        let checked = IDTokenClaims(
            issuer: iss, subject: sub, audiences: audiences, authorizedParty: claims["azp"] as? String, expires: exp, issuedAt: iat,
            nonce: claims["nonce"] as? String)
        do { try checked.check(issuer: issuer, client: client, nonce: nonce, now: now) } catch { throw .claims(error) }
        let username = claims["preferred_username"] as? String
        let name = (claims["name"] as? String) ?? username ?? (claims["email"] as? String) ?? sub
        return SignedInPerson(
            subject: sub, name: name, username: username, email: claims["email"] as? String, roleNames: roleNames(claims, client: client))
    }

    static func roleNames(_ claims: [String: Any], client: String) -> [String] {
        var names: [String] = []
        names += strings(claims["groups"]).flatMap { $0.hasPrefix("/") ? [$0, String($0.dropFirst())] : [$0] }
        names += strings(claims["roles"])
        names += strings((claims["realm_access"] as? [String: Any])?["roles"])
        names += strings(((claims["resource_access"] as? [String: Any])?[client] as? [String: Any])?["roles"])
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// A list of strings, or one string with names separated by commas or semicolons (LemonLDAP::NG's multi-values).
    static func strings(_ value: Any?) -> [String] {
        if let list = value as? [Any] { return list.compactMap { $0 as? String } }
        if let text = value as? String {
            return text.split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return []
    }
}
