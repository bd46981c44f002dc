import AlmanacForecast
import AlmanacMetrics

/// One SLO at one moment: its events over the window, the budget left, the burn rate over each
/// alerting window, the condition that holds, and when the budget runs out at the current pace.
public struct SLOEvaluation: Sendable {
    /// How samples become events.
    public enum Counting: Sendable {
        /// Counters: events are their increase.
        case counters
        /// Check results: every sample is a run, an `up` of 1 a good one.
        case runs
    }

    public var budget: ErrorBudget
    /// Burn rate by window (ms), where the window had events.
    public var burnRates: [Int64: Double]
    public var condition: BurnRateAlerts.Condition?
    /// When the bad events reach what the objective allows over a whole window at the traffic seen
    /// so far, by the forecast engine's fit of the bad events hour by hour; nil when it sees no
    /// crossing within the window's length.
    public var exhaustion: Crossing?

    /// `good` and `total` are the samples of each series counting good and all events.
    public static func evaluate(_ slo: SLO, good: [[Sample]], total: [[Sample]], counting: Counting, now: Int64) -> SLOEvaluation {
        func events(_ from: Int64, _ to: Int64) -> (good: Double, total: Double) {
            switch counting {
            case .counters:
                return (
                    good.map { EventCounts.increase($0, from: from, to: to) }.reduce(0, +),
                    total.map { EventCounts.increase($0, from: from, to: to) }.reduce(0, +)
                )
            case .runs:
                return total.map { EventCounts.checkRuns($0, from: from, to: to) }.reduce((0, 0)) { ($0.0 + $1.good, $0.1 + $1.total) }
            }
        }
        let start = now - slo.window
        let whole = events(start, now)
        let budget = ErrorBudget(objective: slo.objective, good: whole.good, total: whole.total)
        var rates: [Int64: Double] = [:]
        for window in BurnRateAlerts.windows {
            let counted = events(now - window, now)
            guard counted.total > 0 else { continue }
            rates[window] = ErrorBudget.burnRate(errorRatio: max(0, counted.total - counted.good) / counted.total, objective: slo.objective)
        }
        // Bad events so far in the window, hour by hour, for the forecast engine.
        let hour: Int64 = 3_600_000
        let hours = Int((now - start) / hour)
        var bad = [Double](repeating: 0, count: hours)
        switch counting {
        case .counters:
            for series in total {
                for (i, rise) in EventCounts.increases(series, from: start, to: start + Int64(hours) * hour, step: hour).enumerated() {
                    bad[i] += rise
                }
            }
            for series in good {
                for (i, rise) in EventCounts.increases(series, from: start, to: start + Int64(hours) * hour, step: hour).enumerated() {
                    bad[i] -= rise
                }
            }
        case .runs:
            for series in total {
                for (i, runs) in EventCounts.runs(series, from: start, to: start + Int64(hours) * hour, step: hour).enumerated() {
                    bad[i] += runs.total - runs.good
                }
            }
        }
        var sum = 0.0
        let cumulative = bad.enumerated().map { i, value -> Sample in
            sum += max(0, value)
            return Sample(timestamp: start + Int64(i + 1) * hour, value: sum)
        }
        // A service younger than the window has seen part of it: its traffic is scaled to the whole.
        let first = total.compactMap { $0.first { $0.timestamp > start }?.timestamp }.min() ?? now
        let seen = max(hour, now - max(first, start))
        let allowed = budget.allowed * Double(slo.window) / Double(seen)
        let exhaustion = Forecaster.fit(cumulative, now: now).flatMap { $0.crossing(of: allowed, within: slo.window) }
        return SLOEvaluation(
            budget: budget, burnRates: rates, condition: BurnRateAlerts.evaluate { rates[$0] }, exhaustion: allowed > 0 ? exhaustion : nil)
    }
}
