import AlmanacFlags

/// Where run-time flag state, its audit log and evaluation counts live. The SQL implementation
/// serves both SQLite and PostgreSQL; the protocol is the seam a test or another backend plugs into.
public protocol FlagStore: Sendable {
    /// Every override and pin.
    func runtimeState() async throws -> RuntimeState
    /// Applies a change and records it in the audit log, in one transaction; returns the entry.
    func apply(_ change: RuntimeChange, actor: String, comment: String, at milliseconds: Int64) async throws -> AuditEntry
    /// Newest entries first, optionally for one flag.
    func auditLog(flagKey: String?, limit: Int) async throws -> [AuditEntry]
    /// Changes that reach everyone (not pins) between `from` and `to`, oldest first.
    func changes(from: Int64, to: Int64, limit: Int) async throws -> [AuditEntry]
    /// The id of the newest audit entry (0 when none): replicas poll it to notice each other's changes.
    func latestChangeID() async throws -> Int64
    /// Adds evaluation counts to their hourly buckets.
    func record(_ counts: [EvaluationCount]) async throws
    /// Evaluation counts by flag and variant since `hour` (hours since 1970), and the last hour each flag was seen.
    func usage(sinceHour hour: Int64) async throws -> [String: FlagUsage]
}

/// Evaluations of one flag variant within one hour.
public struct EvaluationCount: Sendable, Hashable {
    public var flagKey: String
    public var variant: String
    /// Hours since 1970.
    public var hour: Int64
    public var count: Int64

    public init(flagKey: String, variant: String, hour: Int64, count: Int64) {
        self.flagKey = flagKey
        self.variant = variant
        self.hour = hour
        self.count = count
    }
}
