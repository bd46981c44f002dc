/// Error budget arithmetic as the SRE Workbook defines it: the budget is the share of events
/// allowed to be bad over the window; the burn rate is the bad share over some window divided
/// by that allowance (1 spends the budget exactly over the SLO's window).
public struct ErrorBudget: Sendable, Hashable {
    public var objective: Double
    public var good: Double
    public var total: Double

    public init(objective: Double, good: Double, total: Double) {
        self.objective = objective
        self.good = good
        self.total = total
    }

    /// Bad events over the window.
    public var bad: Double { max(0, total - good) }
    /// Bad events the objective allows over the window.
    public var allowed: Double { (1 - objective) * total }
    /// The share of good events; nil without events.
    public var ratio: Double? { total > 0 ? good / total : nil }
    /// The share of the budget left: 1 untouched, 0 spent, below 0 overspent; nil without events.
    public var remaining: Double? { total > 0 ? 1 - bad / allowed : nil }

    /// The burn rate of an error ratio (bad over all, in a short window).
    public static func burnRate(errorRatio: Double, objective: Double) -> Double { errorRatio / (1 - objective) }

    /// The budget as it went down over the window, step by step: what was left after each
    /// step's bad events, of what the whole window's events allow. Ends at `remaining`.
    public static func burnDown(_ steps: [(good: Double, total: Double)], objective: Double) -> [Double]? {
        let allowed = (1 - objective) * steps.map(\.total).reduce(0, +)
        guard allowed > 0 else { return nil }
        var bad = 0.0
        return steps.map { step in
            bad += max(0, step.total - step.good)
            return 1 - bad / allowed
        }
    }
}
