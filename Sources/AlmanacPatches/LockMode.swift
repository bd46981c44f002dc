/// PostgreSQL's table-level lock modes, weakest first, named as `pg_locks.mode` names them
/// (the documentation's "Explicit Locking", table 13.2, gives which conflicts with which).
public enum LockMode: String, Sendable, CaseIterable, Codable, Comparable {
    case accessShare = "AccessShareLock"
    case rowShare = "RowShareLock"
    case rowExclusive = "RowExclusiveLock"
    case shareUpdateExclusive = "ShareUpdateExclusiveLock"
    case share = "ShareLock"
    case shareRowExclusive = "ShareRowExclusiveLock"
    case exclusive = "ExclusiveLock"
    case accessExclusive = "AccessExclusiveLock"

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: LockMode, b: LockMode) -> Bool { a.rank < b.rank }

    /// Whether two transactions can hold these at once on one table.
    public func conflicts(with other: LockMode) -> Bool {
        let (weaker, stronger) = self < other ? (self, other) : (other, self)
        switch weaker {
        case .accessShare: return stronger == .accessExclusive
        case .rowShare: return stronger >= .exclusive
        case .rowExclusive: return stronger >= .share
        case .shareUpdateExclusive: return stronger >= .shareUpdateExclusive
        case .share: return stronger != .share && stronger >= .shareUpdateExclusive
        case .shareRowExclusive, .exclusive, .accessExclusive: return true
        }
    }

    /// Plain SELECTs wait while this is held.
    public var blocksReads: Bool { conflicts(with: .accessShare) }
    /// INSERT, UPDATE and DELETE wait while this is held.
    public var blocksWrites: Bool { conflicts(with: .rowExclusive) }

    /// The SQL spelling, as LOCK TABLE and the documentation write it.
    public var sql: String {
        switch self {
        case .accessShare: "ACCESS SHARE"
        case .rowShare: "ROW SHARE"
        case .rowExclusive: "ROW EXCLUSIVE"
        case .shareUpdateExclusive: "SHARE UPDATE EXCLUSIVE"
        case .share: "SHARE"
        case .shareRowExclusive: "SHARE ROW EXCLUSIVE"
        case .exclusive: "EXCLUSIVE"
        case .accessExclusive: "ACCESS EXCLUSIVE"
        }
    }
}
