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
        let start = now - slo.window
        let whole = events(good: good, total: total, counting: counting, from: start, to: now)
        let budget = ErrorBudget(objective: slo.objective, good: whole.good, total: whole.total)
        let rates = burnRates(slo, good: good, total: total, counting: counting, now: now)
        // Bad events so far in the window, hour by hour, for the forecast engine.
        let hour: Int64 = 3_600_000
        let hours = Int64((now - start) / hour)
        let counted = EventCounts.perStep(good: good, total: total, counting: counting, from: start, to: start + hours * hour, step: hour)
        var sum = 0.0
        let cumulative = counted.enumerated().map { i, hourly -> Sample in
            sum += max(0, hourly.total - hourly.good)
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

    /// The burn rate over each of the Workbook's windows that had events. It needs the samples
    /// of the longest window only (3 days), so the alert rules read no more than that each round.
    public static func burnRates(_ slo: SLO, good: [[Sample]], total: [[Sample]], counting: Counting, now: Int64) -> [Int64: Double] {
        var rates: [Int64: Double] = [:]
        for window in BurnRateAlerts.windows {
            let counted = events(good: good, total: total, counting: counting, from: now - window, to: now)
            guard counted.total > 0 else { continue }
            rates[window] = ErrorBudget.burnRate(errorRatio: max(0, counted.total - counted.good) / counted.total, objective: slo.objective)
        }
        return rates
    }

    static func events(good: [[Sample]], total: [[Sample]], counting: Counting, from: Int64, to: Int64) -> (good: Double, total: Double) {
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
}
