/// Whether a ramp's new variant does harm on a ratio of two counters (errors over requests):
/// each request is a unit that failed or not, and the absolute difference of the two failure
/// rates is read with the sequential interval, so the guard can be looked at every few seconds
/// without raising false alarms.
public enum GuardrailTest {
    public struct Counts: Sendable, Hashable {
        public var total: Double
        public var errors: Double

        public init(total: Double, errors: Double) {
            self.total = total
            self.errors = errors
        }

        public var rate: Double { total > 0 ? errors / total : 0 }
    }

    public struct Verdict: Sendable, Hashable {
        /// The variant's rate minus control's, with its always-valid interval.
        public var difference: Lift.Frequentist
        /// The whole interval lies above the margin: the variant is worse by more than allowed.
        public var harmful: Bool
    }

    /// The variant against control. Each rate takes one failure and one success more (Agresti and
    /// Caffo, "Simple and effective confidence intervals for proportions and differences of
    /// proportions", 2000): a control with no errors yet has no variance, and without it no
    /// interval could ever exclude the margin.
    public static func verdict(control: Counts, variant: Counts, margin: Double, alpha: Double = 0.05) -> Verdict {
        func statistic(_ counts: Counts) -> Statistic {
            let n = Int(counts.total.rounded()) + 2
            return .plain(.proportion(n: n, conversions: min(counts.errors.rounded(), counts.total.rounded()) + 1))
        }
        let difference = Lift.sequential(control: statistic(control), variant: statistic(variant), difference: .absolute, alpha: alpha)
        return Verdict(difference: difference, harmful: difference.problem == nil && difference.lower > margin)
    }
}
