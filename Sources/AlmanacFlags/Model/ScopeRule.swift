import AlmanacConfig

/// One of a flag's prioritised scope rules: when every condition holds, serve `variant`.
/// Scopes run before targeting; the first rule that matches wins.
public struct ScopeRule: Sendable, Hashable {
    public enum Condition: Sendable, Hashable {
        /// The server runs in one of these environments.
        case environment([String])
        /// The context's `team` attribute is (or contains) one of these.
        case team([String])
        /// The targeting key is one of these users.
        case user([String])
        /// A stable percentage of users, by targeting key.
        case slice(percent: Double)
        /// A context attribute starts with a prefix, e.g. a page id.
        case attributePrefix(attribute: String, prefix: String)
    }

    public var conditions: [Condition]
    public var variant: String

    public init(conditions: [Condition], variant: String) {
        self.conditions = conditions
        self.variant = variant
    }

    /// Readable form for pages and `flags list`.
    public var summary: String {
        let parts = conditions.map { condition -> String in
            switch condition {
            case .environment(let names): return "environment is \(names.joined(separator: " or "))"
            case .team(let names): return "team is \(names.joined(separator: " or "))"
            case .user(let names): return "user is \(names.joined(separator: " or "))"
            case .slice(let percent): return "\(ConfigNumber.text(percent))% of users"
            case .attributePrefix(let attribute, let prefix): return "\(attribute) starts with \"\(prefix)\""
            }
        }
        return "when \(parts.joined(separator: " and ")) serve \(variant)"
    }
}
