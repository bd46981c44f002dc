import AlmanacCapacity
import Synchronization

/// Gathers the shards' seconds into one timeline (a second is complete once every shard has
/// given it) and their recorders into one. Shards only hand their histograms over: merging
/// and percentiles run in a task of their own, never on an event loop, where they would make
/// the schedule slip.
final class LoadCollector: Sendable {
    struct Piece: Sendable {
        var second: Int
        var completed: Int
        var errors: Int
        var histogram: LatencyHistogram
    }

    let shards: Int
    let recorder = Mutex(LoadRecorder())
    let reason = Mutex<String?>(nil)
    let pieces: AsyncStream<Piece>
    let continuation: AsyncStream<Piece>.Continuation

    init(shards: Int) {
        self.shards = shards
        (pieces, continuation) = AsyncStream.makeStream(of: Piece.self)
    }

    var aborted: Bool { reason.withLock { $0 != nil } }
    var abortReason: String? { reason.withLock { $0 } }

    func abort(_ why: String) {
        reason.withLock { if $0 == nil { $0 = why } }
    }

    func add(_ piece: Piece) { continuation.yield(piece) }

    func add(_ shardRecorder: LoadRecorder) { recorder.withLock { $0.merge(shardRecorder) } }

    /// Merges the seconds as they come, calling `onInterval` for each complete one; returns
    /// the whole timeline once the shards are done and `finish` was called.
    func timeline(_ onInterval: @Sendable (LoadInterval) -> Void) async -> [LoadInterval] {
        var partial: [Int: (shards: Int, completed: Int, errors: Int, histogram: LatencyHistogram)] = [:]
        var intervals: [LoadInterval] = []
        for await piece in pieces {
            var entry = partial[piece.second] ?? (0, 0, 0, LatencyHistogram.latency())
            entry.shards += 1
            entry.completed += piece.completed
            entry.errors += piece.errors
            entry.histogram.add(piece.histogram)
            guard entry.shards == shards else {
                partial[piece.second] = entry
                continue
            }
            partial[piece.second] = nil
            let interval = LoadInterval(second: piece.second, completed: entry.completed, errors: entry.errors, histogram: entry.histogram)
            intervals.append(interval)
            onInterval(interval)
        }
        // Seconds some shards never gave (they stopped early).
        for (second, entry) in partial {
            intervals.append(LoadInterval(second: second, completed: entry.completed, errors: entry.errors, histogram: entry.histogram))
        }
        return intervals.sorted { $0.second < $1.second }
    }

    func finish() -> LoadRecorder {
        continuation.finish()
        return recorder.withLock { $0 }
    }
}
