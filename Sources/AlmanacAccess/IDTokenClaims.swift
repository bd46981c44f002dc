/// The claims of an OpenID Connect ID token that decide whether it is accepted, checked as the
/// Core specification's §3.1.3.7 says: the issuer exactly, the client among the audiences (and
/// as the authorised party when there are several), not expired, not issued in the future, and
/// the nonce this sign-in sent. The signature is checked before, against the provider's keys.
public struct IDTokenClaims: Sendable, Hashable {
    public var issuer: String
    public var subject: String
    public var audiences: [String]
    public var authorizedParty: String?
    /// Seconds since 1970.
    public var expires: Int64
    public var issuedAt: Int64
    public var nonce: String?

    public init(
        issuer: String, subject: String, audiences: [String], authorizedParty: String? = nil, expires: Int64, issuedAt: Int64, nonce: String?
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.authorizedParty = authorizedParty
        self.expires = expires
        self.issuedAt = issuedAt
        self.nonce = nonce
    }

    /// Why a token is refused, said so a person can act on it (the token itself is never shown).
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case issuer(expected: String, got: String)
        case audience(client: String)
        case authorizedParty(client: String, got: String?)
        case expired(secondsAgo: Int64)
        case issuedInTheFuture(seconds: Int64)
        case nonce

        public var description: String {
            switch self {
            case .issuer(let expected, let got): "the token's issuer is \(got), not \(expected)"
            case .audience(let client): "the token is not for this client (\(client))"
            case .authorizedParty(let client, let got): "the token names \(got ?? "no one") as its authorised party, not \(client)"
            case .expired(let seconds): "the token expired \(seconds) seconds ago"
            case .issuedInTheFuture(let seconds): "the token is issued \(seconds) seconds in the future"
            case .nonce: "the token's nonce is not this sign-in's"
            }
        }
    }

    /// Accepts or refuses; `leeway` seconds of clock difference are tolerated both ways.
    public func check(issuer expected: String, client: String, nonce sent: String, now: Int64, leeway: Int64 = 60) throws(Refusal) {
        guard issuer == expected else { throw .issuer(expected: expected, got: issuer) }
        guard audiences.contains(client) else { throw .audience(client: client) }
        if audiences.count > 1 || authorizedParty != nil {
            guard authorizedParty == client else { throw .authorizedParty(client: client, got: authorizedParty) }
        }
        guard now <= expires + leeway else { throw .expired(secondsAgo: now - expires) }
        guard issuedAt <= now + leeway else { throw .issuedInTheFuture(seconds: issuedAt - now) }
        guard let nonce, nonce == sent else { throw .nonce }
    }
}
