import AlmanacRuntime
import Synchronization

/// Attempts per address (failed credentials, sign-ins started): `allowance` of them, then one
/// more per `refillSeconds`.
/// A blocked address gets 429 for every credential it sends, the right one included; other
/// addresses are not affected.
final class SignInThrottle: Sendable {
    private struct Bucket {
        var left: Double
        var updated: Double
    }

    let allowance: Double
    let refillSeconds: Double
    let clock: WallClock
    private let buckets = Mutex<[String: Bucket]>([:])

    init(allowance: Int = 10, refillSeconds: Double = 30, clock: WallClock) {
        self.clock = clock
        self.allowance = Double(allowance)
        self.refillSeconds = refillSeconds
    }

    /// Seconds until the address may try again; nil when it may now.
    func retryAfter(_ address: String, now: Double? = nil) -> Int? {
        let now = now ?? Double(clock.milliseconds()) / 1000
        return buckets.withLock { buckets in
            guard let bucket = buckets[address].map({ refilled($0, now) }), bucket.left < 1 else { return nil }
            return max(1, Int(((1 - bucket.left) * refillSeconds).rounded(.up)))
        }
    }

    func record(_ address: String, now: Double? = nil) {
        let now = now ?? Double(clock.milliseconds()) / 1000
        buckets.withLock { buckets in
            if buckets.count > 10_000 { buckets = buckets.filter { refilled($0.value, now).left < allowance } }  // bound memory
            var bucket = buckets[address].map { refilled($0, now) } ?? Bucket(left: allowance, updated: now)
            bucket.left = max(0, bucket.left - 1)
            buckets[address] = bucket
        }
    }

    private func refilled(_ bucket: Bucket, _ now: Double) -> Bucket {
        Bucket(left: min(allowance, bucket.left + (now - bucket.updated) / refillSeconds), updated: now)
    }
}
