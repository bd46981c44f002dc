import AlmanacMetrics

/// The shape of a sawtooth between its drops: a series that grows inside each cycle and is cut
/// back at a steady period crosses a level only inside a cycle, late in it. Projecting the line
/// of its peaks alone put the crossing up to a period early (8 of 100 series "full within a
/// week" on the evaluation suite when the truth was later).
public struct Cycle: Sendable, Equatable {
    /// The usual time between drops, ms.
    public var period: Int64
    /// Growth per second inside a cycle.
    public var slope: Double
    /// When the next drop is due (ms); `now` when it is overdue.
    public var nextEnd: Int64
    /// How far a drop may come from its due time, ms: the gaps' scatter, and an hour and a
    /// quarter for the hour that hourly means blur a drop's time by (calibrated on seeds 1-300).
    public var jitter: Int64

    /// From the samples and the indices just after their drops; nil without a whole cycle, or
    /// when the cycles do not grow.
    static func find(_ samples: [Sample], drops: [Int], now: Int64) -> Cycle? {
        guard drops.count >= 2 else { return nil }
        let times = drops.map { samples[$0].timestamp }
        let gaps = zip(times.dropFirst(), times).map { Double($0 - $1) }
        let period = Int64(Robust.median(gaps))
        let bounds = drops + [samples.count]
        // Each cycle's own least-squares slope (after the drop's first sample, which may hold
        // part of the fall), then their median: one odd cycle does not bend it.
        let slopes = zip(bounds, bounds.dropFirst()).compactMap { start, end -> Double? in
            let cycle = Array(samples[min(start + 1, end)..<end])
            guard cycle.count >= 6, let first = cycle.first else { return nil }
            let line = PrefixSums(cycle, origin: first.timestamp).fit(0, cycle.count)
            return line.sxx > 0 ? line.slope : nil
        }
        guard period > 0, !slopes.isEmpty else { return nil }
        let slope = Robust.median(slopes)
        guard slope > 0 else { return nil }
        let jitter = 4_500_000 + Int64(gaps.count > 1 ? Robust.scale(gaps) : 0)
        return Cycle(period: period, slope: slope, nextEnd: max(now, times.last! + period), jitter: jitter)
    }

    /// The end of the cycle `time` falls in.
    func end(of time: Int64) -> Int64 {
        guard time > nextEnd else { return nextEnd }
        return nextEnd + ((time - nextEnd + period - 1) / period) * period
    }
}
