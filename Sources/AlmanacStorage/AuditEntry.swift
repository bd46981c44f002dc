/// One recorded run-time change: who, when, what, before and after, and why.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    /// Milliseconds since 1970.
    public var at: Int64
    public var actor: String
    public var action: String
    public var flagKey: String
    public var subject: String?
    public var before: String?
    public var after: String?
    public var comment: String
}
