import AlmanacConfig

/// How people on call are reached. The relay for e-mail comes from `oncall/*.yaml`
/// (`email: {relay: smtp://mail.example.org:25, from: almanac@example.org}`); a person's address
/// is the catalogue's `spec.profile.email`, and their push topic or webhook the User's
/// annotations `almanac.io/ntfy` (an ntfy topic URL) and `almanac.io/webhook`.
public struct EmailSettings: Sendable, Equatable {
    public var relay: String
    public var from: String

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> EmailSettings? {
        guard let node = root["email"] else { return nil }
        try node.onlyFields(["relay", "from"])
        guard let relay = node["relay"]?.string, relay.hasPrefix("smtp://") else {
            throw (node["relay"] ?? node).error("needs 'relay', the SMTP relay as smtp://host:port")
        }
        guard let from = node["from"]?.string, from.contains("@") else { throw (node["from"] ?? node).error("needs 'from', an e-mail address") }
        return EmailSettings(relay: relay, from: from)
    }
}

public struct Contact: Sendable, Equatable {
    public var person: String
    public var email: String?
    public var ntfy: String?
    public var webhook: String?

    public init(person: String, email: String?, ntfy: String?, webhook: String?) {
        self.person = person
        self.email = email
        self.ntfy = ntfy
        self.webhook = webhook
    }

    public var isReachable: Bool { email != nil || ntfy != nil || webhook != nil }
}
