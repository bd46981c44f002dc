/// What one statement of a patch does to the tables it touches: the lock it takes on each, whether
/// it holds that lock while it reads or rewrites the whole table, and so whether it can run live.
public struct StatementClass: Sendable, Equatable {
    public enum Verdict: String, Sendable, Codable {
        /// No lock that blocks reads or writes is held for longer than a catalogue change: runs
        /// live, under a lock timeout, retried.
        case hot
        /// Holds such a lock while it scans or rewrites a table: needs a window.
        case cold
    }

    public struct TableLock: Sendable, Equatable, Codable {
        /// The table, or the index whose table it is (`ofIndex`: DROP INDEX names only the index).
        public var table: String
        public var mode: LockMode
        public var ofIndex = false

        public init(table: String, mode: LockMode, ofIndex: Bool = false) {
            self.table = table
            self.mode = mode
            self.ofIndex = ofIndex
        }
    }

    /// What the statement is, as a person would say it: `CREATE INDEX CONCURRENTLY`.
    public var kind: String
    public var locks: [TableLock]
    /// Every row is read (a validation, an index build) under the lock.
    public var scans = false
    /// The table is written anew (a type change, a volatile default).
    public var rewrites = false
    /// Cannot run inside a transaction block (`CONCURRENTLY`, `VACUUM`).
    public var transactional = true
    public var verdict: Verdict
    public var reason: String
    /// What else to know, with the squawk rule that says it where there is one.
    public var notes: [String] = []

    /// The strongest lock the statement takes.
    public var strongest: LockMode? { locks.map(\.mode).max() }

    init(kind: String, locks: [TableLock], verdict: Verdict, reason: String) {
        self.kind = kind
        self.locks = locks
        self.verdict = verdict
        self.reason = reason
    }

    /// A statement that holds `mode` on `table` only while the catalogue changes.
    static func brief(_ kind: String, _ table: String?, _ mode: LockMode, note: String? = nil) -> StatementClass {
        var out = StatementClass(
            kind: kind, locks: table.map { [TableLock(table: $0, mode: mode)] } ?? [], verdict: .hot,
            reason: mode.blocksWrites
                ? "\(mode.sql) only while the catalogue changes; applied under a lock timeout" : "blocks neither reads nor writes")
        if let note { out.notes.append(note) }
        return out
    }

    /// A statement that holds `mode` on `table` while it reads or writes every row.
    static func long(_ kind: String, _ table: String?, _ mode: LockMode, rewrites: Bool, why: String) -> StatementClass {
        var out = StatementClass(
            kind: kind, locks: table.map { [TableLock(table: $0, mode: mode)] } ?? [], verdict: mode.blocksWrites ? .cold : .hot,
            reason: mode.blocksWrites
                ? "\(mode.sql) while it \(rewrites ? "rewrites" : "reads") the whole table: \(why)"
                : "reads the whole table but blocks neither reads nor writes")
        out.scans = true
        out.rewrites = rewrites
        return out
    }

    /// Several commands of one statement (an ALTER TABLE with many actions): the strongest
    /// lock per table, cold when any is.
    static func combined(_ kind: String, _ parts: [StatementClass]) -> StatementClass {
        guard let first = parts.first else { return brief(kind, nil, .accessShare) }
        var out = first
        out.kind = kind
        for part in parts.dropFirst() {
            for lock in part.locks {
                if let index = out.locks.firstIndex(where: { $0.table == lock.table }) {
                    out.locks[index].mode = max(out.locks[index].mode, lock.mode)
                } else {
                    out.locks.append(lock)
                }
            }
            out.scans = out.scans || part.scans
            out.rewrites = out.rewrites || part.rewrites
            out.notes += part.notes
            if part.verdict == .cold && out.verdict == .hot { (out.verdict, out.reason) = (.cold, part.reason) }
        }
        return out
    }
}
