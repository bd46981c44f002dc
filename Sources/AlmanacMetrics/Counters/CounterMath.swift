/// Counter arithmetic, once for every page and job: how a counter rises between two samples
/// (a fall is a reset, after which it counted from zero), and Prometheus's `increase`, `rate`
/// and `delta` over a range, as its `extrapolatedRate` computes them (promql/functions.go):
/// resets found sample by sample, and the result extrapolated towards the range's edges, all
/// the way when the samples come within 110% of their average spacing of an edge, by half a
/// spacing otherwise, and for counters never past the point where the counter would be zero.
public enum CounterMath {
    /// What a counter counted from `before` to `after`.
    public static func rise(from before: Double, to after: Double) -> Double {
        after >= before ? after - before : after
    }

    /// What a counter counted over consecutive samples, resets included, without extrapolation.
    public static func growth(_ samples: some Collection<Sample>) -> Double {
        zip(samples, samples.dropFirst()).reduce(0) { $0 + rise(from: $1.0.value, to: $1.1.value) }
    }

    /// What a counter counted in `(from, to]`, exactly: the last sample at or before `from`
    /// anchors the first rise, and nothing is extrapolated. For counts whose parts must add up
    /// (an SLO's budget and its bars); zero with fewer than two samples.
    public static func growth(_ samples: [Sample], after from: Int64, through to: Int64) -> Double {
        let inside = inRange(samples, after: from, through: to)
        return growth(samples[max(0, inside.startIndex - 1)..<inside.endIndex])
    }

    /// Prometheus's `increase(series[range])` at `end`: nil with fewer than two samples in the
    /// left-open range `(end - range, end]`.
    public static func increase(_ samples: [Sample], range: Int64, end: Int64) -> Double? {
        extrapolated(inRange(samples, after: end - range, through: end), start: end - range, end: end, counter: true)
    }

    /// The increase over `(from, to]`.
    public static func increase(_ samples: [Sample], from: Int64, to: Int64) -> Double? {
        increase(samples, range: to - from, end: to)
    }

    /// The counter's per-second growth while the samples in `(from, to]` cover the range: the
    /// rate `extrapolatedRate` finds before it extrapolates (growth and interval are scaled
    /// alike). Where samples cover only part of the range (a host watched since this morning),
    /// it is the rate while they did, where Prometheus's `rate` would spread the growth over the
    /// whole range. For averages over a month that monitoring saw in part (costs).
    public static func coveredRate(_ samples: [Sample], from: Int64, to: Int64) -> Double? {
        let inside = inRange(samples, after: from, through: to)
        guard let first = inside.first, let last = inside.last, last.timestamp > first.timestamp else { return nil }
        return growth(inside) / (Double(last.timestamp - first.timestamp) / 1000)
    }

    /// Prometheus's `rate(series[range])` at `end`: the increase per second of the range.
    public static func rate(_ samples: [Sample], range: Int64, end: Int64) -> Double? {
        increase(samples, range: range, end: end).map { $0 / (Double(range) / 1000) }
    }

    /// Prometheus's `delta(series[range])` at `end`, for gauges: no resets, no zero point.
    public static func delta(_ samples: [Sample], range: Int64, end: Int64) -> Double? {
        extrapolated(inRange(samples, after: end - range, through: end), start: end - range, end: end, counter: false)
    }

    /// The samples in `(start, end]` of samples in time order, found by bisection: costs cut a
    /// year of history into days.
    static func inRange(_ samples: [Sample], after start: Int64, through end: Int64) -> ArraySlice<Sample> {
        func firstIndex(after time: Int64) -> Int {
            var (low, high) = (0, samples.count)
            while low < high {
                let middle = (low + high) / 2
                if samples[middle].timestamp > time { high = middle } else { low = middle + 1 }
            }
            return low
        }
        let lower = firstIndex(after: start)
        return samples[lower..<max(lower, firstIndex(after: end))]
    }

    /// `extrapolatedRate` without the division by the range, over samples already in the range.
    static func extrapolated(_ inside: ArraySlice<Sample>, start: Int64, end: Int64, counter: Bool) -> Double? {
        guard inside.count >= 2, let first = inside.first, let last = inside.last, last.timestamp > first.timestamp else { return nil }
        let result = counter ? growth(inside) : last.value - first.value
        let sampled = Double(last.timestamp - first.timestamp) / 1000
        let spacing = sampled / Double(inside.count - 1)
        let threshold = spacing * 1.1
        var toStart = Double(first.timestamp - start) / 1000
        var toEnd = Double(end - last.timestamp) / 1000
        if toStart >= threshold { toStart = spacing / 2 }
        if counter && result > 0 && first.value >= 0 {
            // A counter cannot have been below zero: extrapolate no further back than where it was.
            toStart = min(toStart, sampled * (first.value / result))
        }
        if toEnd >= threshold { toEnd = spacing / 2 }
        return result * (sampled + toStart + toEnd) / sampled
    }
}
