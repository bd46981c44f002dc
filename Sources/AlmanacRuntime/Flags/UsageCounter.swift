import AlmanacFlags
import AlmanacStorage
import Synchronization

/// Counts evaluations on the hot path with one lock per evaluation: hourly buckets that are
/// handed to the database every few seconds, and running totals for `/metrics`.
public final class UsageCounter: Sendable {
    private struct Bucket: Hashable {
        var flag: String
        var variant: String
        var hour: Int64
    }

    public struct Total: Hashable, Sendable {
        public var flag: String
        public var variant: String
        public var reason: Reason
    }

    private struct Counts {
        var pending: [Bucket: Int64] = [:]
        var totals: [Total: Int64] = [:]
    }

    private let counts = Mutex(Counts())

    func count(_ resolution: Resolution, atSeconds seconds: Int64) {
        // Unknown keys come from callers; counting them would let anyone grow memory without bound.
        guard resolution.errorCode != .flagNotFound else { return }
        let variant = resolution.variant ?? ""
        counts.withLock { counts in
            counts.totals[Total(flag: resolution.key, variant: variant, reason: resolution.reason), default: 0] += 1
            if resolution.errorCode == nil {
                counts.pending[Bucket(flag: resolution.key, variant: resolution.variant ?? "(code default)", hour: seconds / 3600), default: 0] += 1
            }
        }
    }

    /// Running totals since start, for `/metrics`.
    var totals: [Total: Int64] { counts.withLock { $0.totals } }

    /// Takes the hourly counts gathered so far.
    func drain() -> [EvaluationCount] {
        let taken = counts.withLock { counts in
            defer { counts.pending.removeAll(keepingCapacity: true) }
            return counts.pending
        }
        return taken.map { EvaluationCount(flagKey: $0.key.flag, variant: $0.key.variant, hour: $0.key.hour, count: $0.value) }
    }

    /// Puts counts back after a failed write, so none are lost.
    func restore(_ taken: [EvaluationCount]) {
        counts.withLock { counts in
            for c in taken { counts.pending[Bucket(flag: c.flagKey, variant: c.variant, hour: c.hour), default: 0] += c.count }
        }
    }
}
