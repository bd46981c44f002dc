/// One step of a series summarised: what years-old history keeps once raw samples are gone.
public struct RollupBucket: Sendable, Equatable {
    /// Start of the step, in ms; the bucket holds samples in `[start, start + step)`.
    public var start: Int64
    public var minimum: Double
    public var maximum: Double
    public var sum: Double
    public var count: Int
    public var last: Double

    public var mean: Double { sum / Double(count) }

    public init(start: Int64, minimum: Double, maximum: Double, sum: Double, count: Int, last: Double) {
        self.start = start
        self.minimum = minimum
        self.maximum = maximum
        self.sum = sum
        self.count = count
        self.last = last
    }
}

public enum Rollup {
    /// Buckets of `step` ms over samples in time order. NaN (Prometheus's staleness marker) and
    /// infinities carry no level, so they are left out; a step with none of its own has no bucket.
    public static func buckets(_ samples: some Sequence<Sample>, step: Int64) -> [RollupBucket] {
        precondition(step > 0)
        var out: [RollupBucket] = []
        for sample in samples where sample.value.isFinite {
            let start = sample.timestamp - ((sample.timestamp % step) + step) % step
            if var current = out.last, current.start == start {
                current.minimum = min(current.minimum, sample.value)
                current.maximum = max(current.maximum, sample.value)
                current.sum += sample.value
                current.count += 1
                current.last = sample.value
                out[out.count - 1] = current
            } else {
                out.append(RollupBucket(start: start, minimum: sample.value, maximum: sample.value, sum: sample.value, count: 1, last: sample.value))
            }
        }
        return out
    }
}
