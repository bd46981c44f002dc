import Foundation

/// The Kubernetes VPA recommender's histogram: exponentially growing buckets (each 5% wider
/// than the last), weights that halve every `halfLife` so recent usage counts most, and
/// percentiles read as the end of the bucket that reaches them. Kept bucket for bucket as
/// VPA's `util` package has it, so the same history gives the same recommendation.
public struct DecayingHistogram: Sendable, Hashable {
    public struct Buckets: Sendable, Hashable {
        public var maximum: Double
        public var first: Double
        public var ratio: Double
        public var epsilon: Double

        /// CPU in cores: 0.01 core first bucket up to 1000 cores.
        public static let cpu = Buckets(maximum: 1000, first: 0.01, ratio: 1.05, epsilon: 0.0001)
        /// Memory in bytes: 10 MB first bucket up to 1 TB.
        public static let memory = Buckets(maximum: 1e12, first: 1e7, ratio: 1.05, epsilon: 0.0001)

        public var count: Int { Int((log(maximum * (ratio - 1) / first + 1) / log(ratio)).rounded(.up)) + 1 }

        public func bucket(_ value: Double) -> Int {
            if value < first { return 0 }
            return min(Int(log(value * (ratio - 1) / first + 1) / log(ratio)), count - 1)
        }

        public func start(_ bucket: Int) -> Double {
            bucket == 0 ? 0 : first * (pow(ratio, Double(bucket)) - 1) / (ratio - 1)
        }
    }

    public let buckets: Buckets
    /// Milliseconds after which a sample's weight has halved.
    public let halfLife: Int64
    var weights: [Int: Double] = [:]
    var total = 0.0
    /// Weights are relative to this time; moved forward (and every weight rescaled) before
    /// 2^100 could overflow, as VPA does.
    var reference: Int64 = 0

    public init(buckets: Buckets, halfLife: Int64) {
        self.buckets = buckets
        self.halfLife = halfLife
    }

    public var isEmpty: Bool { total < buckets.epsilon }

    public mutating func add(_ value: Double, weight: Double, at time: Int64) {
        add(value, decayedWeight: weight * decay(time))
    }

    /// Removes a sample added earlier with the same value, weight and time (a window's old peak).
    public mutating func subtract(_ value: Double, weight: Double, at time: Int64) {
        let bucket = buckets.bucket(value)
        let w = min(weight * decay(time), weights[bucket, default: 0])
        weights[bucket, default: 0] -= w
        total -= w
    }

    mutating func add(_ value: Double, decayedWeight: Double) {
        weights[buckets.bucket(value), default: 0] += decayedWeight
        total += decayedWeight
    }

    mutating func decay(_ time: Int64) -> Double {
        if time > reference + halfLife * 100 {
            let shifted = (time / halfLife) * halfLife
            let exponent = Double(reference - shifted) / Double(halfLife)
            let factor = pow(2, exponent.rounded())
            for key in weights.keys { weights[key]! *= factor }
            total *= factor
            reference = shifted
        }
        return pow(2, Double(time - reference) / Double(halfLife))
    }

    /// The value below which `fraction` of the (decayed) weight lies: the end of its bucket.
    public func percentile(_ fraction: Double) -> Double {
        guard !isEmpty else { return 0 }
        let used = weights.filter { $0.value >= buckets.epsilon }.keys.sorted()
        let threshold = fraction * total
        var sum = 0.0
        var bucket = used.first ?? 0
        for candidate in used {
            bucket = candidate
            sum += weights[candidate]!
            if sum >= threshold { break }
        }
        return bucket < buckets.count - 1 ? buckets.start(bucket + 1) : buckets.start(bucket)
    }
}
