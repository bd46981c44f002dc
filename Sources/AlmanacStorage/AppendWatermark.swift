import Synchronization

/// How far back reads see every sample: a scrape stamps its samples with the time it began,
/// then fetches and parses for up to its timeout before appending, so a read at `now` may miss
/// samples stamped earlier that land a moment later. A ratio read as two selects (good, then
/// total) then counts one more scrape in one than in the other. Prometheus keeps such appends
/// out of queries with its head's isolation; this is the same idea: readers stop just before the
/// oldest scrape still under way.
public final class AppendWatermark: Sendable {
    private struct State {
        var next = 0
        var pending: [Int: Int64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A scrape stamped `timestamp` has begun; give the ticket back once its samples are appended (or dropped).
    public func reserve(at timestamp: Int64) -> Int {
        state.withLock { state in
            state.next += 1
            state.pending[state.next] = timestamp
            return state.next
        }
    }

    public func release(_ ticket: Int) {
        state.withLock { _ = $0.pending.removeValue(forKey: ticket) }
    }

    /// The latest time up to which every sample is in: `now`, or just before the oldest scrape
    /// still under way.
    public func settled(before now: Int64) -> Int64 {
        state.withLock { state in state.pending.values.min().map { min(now, $0 - 1) } ?? now }
    }
}
