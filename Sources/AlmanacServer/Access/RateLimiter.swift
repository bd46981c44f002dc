import AlmanacRuntime
import Synchronization

/// A token bucket per client: `rate` requests a second on average, bursts up to one second's worth.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let rate: Double
    let clock: WallClock
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, clock: WallClock) {
        self.rate = rate
        self.clock = clock
    }

    /// Nil when the request may go ahead, otherwise the seconds to wait.
    func retryAfter(client: String, now: Double? = nil) -> Int? {
        guard rate > 0 else { return nil }
        let now = now ?? Double(clock.milliseconds()) / 1000
        return buckets.withLock { buckets in
            if buckets.count > 10_000 { buckets.removeAll() }  // bound memory under many one-off clients
            var bucket = buckets[client] ?? Bucket(tokens: rate, updated: now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
