import AlmanacStorage
import Synchronization

/// Counts evaluations in memory on the hot path and hands them over in hourly buckets,
/// so that persisting them costs one batched write every few seconds, not one per request.
final class UsageCounter: Sendable {
    private struct Key: Hashable {
        var flag: String
        var variant: String
        var hour: Int64
    }

    private let pending = Mutex<[Key: Int64]>([:])

    func count(flag: String, variant: String, atSeconds seconds: Int64) {
        let key = Key(flag: flag, variant: variant, hour: seconds / 3600)
        pending.withLock { $0[key, default: 0] += 1 }
    }

    /// Takes everything counted so far.
    func drain() -> [EvaluationCount] {
        let taken = pending.withLock { counts in
            defer { counts.removeAll(keepingCapacity: true) }
            return counts
        }
        return taken.map { EvaluationCount(flagKey: $0.key.flag, variant: $0.key.variant, hour: $0.key.hour, count: $0.value) }
    }

    /// Puts counts back after a failed write, so none are lost.
    func restore(_ counts: [EvaluationCount]) {
        pending.withLock { pending in
            for c in counts { pending[Key(flag: c.flagKey, variant: c.variant, hour: c.hour), default: 0] += c.count }
        }
    }
}
