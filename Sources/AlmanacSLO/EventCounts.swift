import AlmanacMetrics

/// Good and total events over a window, from stored samples, for each kind of indicator.
public enum EventCounts {
    /// A counter's events between `from` and `to`, counted exactly (`CounterMath.growth`: resets as
    /// everywhere, the sample before the window anchoring its first rise, no extrapolation), so
    /// the budget's figure is the sum of its bars.
    public static func increase(_ samples: [Sample], from: Int64, to: Int64) -> Double {
        CounterMath.growth(samples, after: from, through: to)
    }

    /// The counter's rises (`CounterMath.rise`), summed per `step` from `from`: bucket i holds what
    /// rose in `(from + i·step, from + (i+1)·step]`, the sample before a bucket anchoring its
    /// first rise, so buckets add up. One pass, for series of a whole SLO window.
    public static func increases(_ samples: [Sample], from: Int64, to: Int64, step: Int64) -> [Double] {
        var buckets = [Double](repeating: 0, count: Int(max(0, (to - from + step - 1) / step)))
        var previous = samples.last { $0.timestamp <= from }
        for sample in samples where sample.timestamp > from && sample.timestamp <= to {
            if let before = previous {
                buckets[Int((sample.timestamp - from - 1) / step)] += CounterMath.rise(from: before.value, to: sample.value)
            }
            previous = sample
        }
        return buckets
    }

    /// Check runs per `step` from `from`: (good, total) in each.
    public static func runs(_ samples: [Sample], from: Int64, to: Int64, step: Int64) -> [(good: Double, total: Double)] {
        var buckets = [(good: Double, total: Double)](repeating: (0, 0), count: Int(max(0, (to - from + step - 1) / step)))
        for sample in samples where sample.timestamp > from && sample.timestamp <= to {
            let i = Int((sample.timestamp - from - 1) / step)
            buckets[i].total += 1
            if sample.value >= 1 { buckets[i].good += 1 }
        }
        return buckets
    }

    /// Good and total events per `step` from `from` to `to`, summed over the series: what the
    /// budget's forecast (hour by hour) and the status page's bars (day by day) count.
    public static func perStep(
        good: [[Sample]], total: [[Sample]], counting: SLOEvaluation.Counting, from: Int64, to: Int64, step: Int64
    ) -> [(good: Double, total: Double)] {
        var buckets = [(good: Double, total: Double)](repeating: (0, 0), count: Int(max(0, (to - from + step - 1) / step)))
        switch counting {
        case .counters:
            for series in good { for (i, rise) in increases(series, from: from, to: to, step: step).enumerated() { buckets[i].good += rise } }
            for series in total { for (i, rise) in increases(series, from: from, to: to, step: step).enumerated() { buckets[i].total += rise } }
        case .runs:
            for series in total {
                for (i, counted) in runs(series, from: from, to: to, step: step).enumerated() {
                    buckets[i].good += counted.good
                    buckets[i].total += counted.total
                }
            }
        }
        return buckets
    }

    /// Samples with the events inside `intervals` (maintenance windows) taken out: a counter's
    /// rises there are dropped (the rest kept as one cumulative series, so every count above
    /// works on it unchanged), check runs there are removed.
    public static func excluding(_ intervals: [(start: Int64, end: Int64)], from samples: [Sample], counting: SLOEvaluation.Counting) -> [Sample] {
        guard !intervals.isEmpty, let first = samples.first else { return samples }
        func inside(_ t: Int64) -> Bool { intervals.contains { $0.start <= t && t < $0.end } }
        switch counting {
        case .runs: return samples.filter { !inside($0.timestamp) }
        case .counters:
            var out = [first]
            var kept = first.value
            for (before, sample) in zip(samples, samples.dropFirst()) {
                if !inside(sample.timestamp) { kept += CounterMath.rise(from: before.value, to: sample.value) }
                out.append(Sample(timestamp: sample.timestamp, value: kept))
            }
            return out
        }
    }

    /// A histogram's bucket bound as Prometheus writes it in `le`: a number, or `+Inf`.
    public static func bound(_ le: String) -> Double? {
        le == "+Inf" ? .infinity : Double(le)
    }

    /// Check results: each run is an event, an `up` of 1 a good one.
    public static func checkRuns(_ samples: [Sample], from: Int64, to: Int64) -> (good: Double, total: Double) {
        let runs = samples.filter { $0.timestamp > from && $0.timestamp <= to }
        return (Double(runs.filter { $0.value >= 1 }.count), Double(runs.count))
    }
}
