import Foundation

/// A variant against control on one metric, the way GrowthBook's open-source engine (gbstats)
/// computes it, so results can be checked against it figure by figure: Welch's t-test, the
/// always-valid sequential interval of Waudby-Smith et al. (2023), and a Gaussian posterior
/// with a flat prior for the chance to beat control and the risk.
public enum Lift {
    public enum Difference: String, Sendable, Codable {
        case relative
        case absolute
    }

    /// Why a comparison has no figures: GrowthBook's own codes, so they read the same.
    public enum Problem: String, Sendable, Codable {
        case zeroBaseline = "ZERO_NEGATIVE_BASELINE_VARIATION"
        case zeroVariance = "ZERO_NEGATIVE_VARIANCE"
        case noUnits = "NO_UNITS_IN_VARIATION"
    }

    public struct Frequentist: Sendable, Hashable, Codable {
        public var expected: Double
        public var lower: Double
        public var upper: Double
        public var pValue: Double
        public var problem: Problem?
    }

    public struct Bayesian: Sendable, Hashable, Codable {
        public var chanceToWin: Double
        public var expected: Double
        public var lower: Double
        public var upper: Double
        /// Expected loss of choosing control, and of choosing the variant.
        public var riskControl: Double
        public var riskVariant: Double
        public var problem: Problem?
    }

    static func difference(_ a: Statistic, _ b: Statistic, _ kind: Difference) -> Double {
        kind == .relative ? (b.mean - a.mean) / a.unadjustedMean : b.mean - a.mean
    }

    static func variance(_ a: Statistic, _ b: Statistic, _ kind: Difference) -> Double {
        let (va, vb, na, nb) = (a.variance, b.variance, Double(a.n), Double(b.n))
        guard kind == .relative else { return vb / nb + va / na }
        let (ma, mb) = (a.unadjustedMean, b.unadjustedMean)
        return vb / (ma * ma * nb) + va * mb * mb / (ma * ma * ma * ma * na)
    }

    /// Welch–Satterthwaite degrees of freedom.
    static func degreesOfFreedom(_ a: Statistic, _ b: Statistic) -> Double {
        let (va, vb, na, nb) = (a.variance, b.variance, Double(a.n), Double(b.n))
        let sum = vb / nb + va / na
        return sum * sum / (vb * vb / (nb * nb * (nb - 1)) + va * va / (na * na * (na - 1)))
    }

    static func problem(_ a: Statistic, _ b: Statistic) -> Problem? {
        if a.mean == 0 || a.unadjustedMean == 0 { return .zeroBaseline }
        if a.variance <= 0 || b.variance <= 0 { return .zeroVariance }
        return nil
    }

    static func none(_ problem: Problem) -> Frequentist { Frequentist(expected: 0, lower: 0, upper: 0, pValue: 1, problem: problem) }

    /// The fixed-horizon two-sided t-test: valid when read once, at the planned sample size.
    public static func tTest(control: Statistic, variant: Statistic, difference kind: Difference = .relative, alpha: Double = 0.05) -> Frequentist {
        let (a, b) = Statistic.adjustedPair(control, variant)
        if let problem = problem(a, b) { return none(problem) }
        let estimate = difference(a, b, kind)
        let sd = variance(a, b, kind).squareRoot()
        let dof = degreesOfFreedom(a, b)
        let width = StudentT.ppf(1 - alpha / 2, dof: dof) * sd
        return Frequentist(
            expected: estimate, lower: estimate - width, upper: estimate + width, pValue: StudentT.twoSided(estimate / sd, dof: dof), problem: nil)
    }

    /// The sequential test: its interval and p-value stay valid however often they are read
    /// (eq. 9 and 155 of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central
    /// limit theory and asymptotic confidence sequences", 2023); `tuning` is the sample size
    /// where the interval is tightest, GrowthBook's default 5,000.
    public static func sequential(
        control: Statistic, variant: Statistic, difference kind: Difference = .relative, alpha: Double = 0.05, tuning: Double = 5000
    ) -> Frequentist {
        let (a, b) = Statistic.adjustedPair(control, variant)
        if let problem = problem(a, b) { return none(problem) }
        let estimate = difference(a, b, kind)
        let v = variance(a, b, kind)
        let n = Double(a.n + b.n)
        let rho = ((-2 * log(alpha) + log(-2 * log(alpha) + 1)) / tuning).squareRoot()
        let spread = n * rho * rho + 1
        let width = (v * n).squareRoot() * (2 * spread * log(spread.squareRoot() / alpha) / ((n * rho) * (n * rho))).squareRoot()
        let evidence = exp(rho * rho * (estimate * estimate * n / v) / (2 * spread)) / spread.squareRoot()
        return Frequentist(expected: estimate, lower: estimate - width, upper: estimate + width, pValue: min(1 / evidence, 1), problem: nil)
    }

    /// The posterior of the lift under a flat prior: the chance the variant beats control, its
    /// credible interval, and the expected loss of each choice. `inverse`: lower is better
    /// (errors, latency), so beating control means a lower value.
    public static func bayesian(
        control: Statistic, variant: Statistic, difference kind: Difference = .relative, alpha: Double = 0.05, inverse: Bool = false
    ) -> Bayesian {
        let (a, b) = Statistic.adjustedPair(control, variant)
        func none(_ problem: Problem) -> Bayesian {
            Bayesian(chanceToWin: 0.5, expected: 0, lower: 0, upper: 0, riskControl: 0, riskVariant: 0, problem: problem)
        }
        if kind == .relative && (a.mean == 0 || a.unadjustedMean == 0) { return none(.zeroBaseline) }
        if a.n == 0 || b.n == 0 { return none(.noUnits) }
        if a.variance <= 0 || b.variance <= 0 { return none(.zeroVariance) }
        let mean = difference(a, b, kind)
        let sd = variance(a, b, kind).squareRoot()
        let z = Normal.ppf(1 - alpha / 2)
        // At zero, in standard units: the chance control is better and the density there.
        let beta = -mean / sd
        let below = Normal.cdf(beta)
        let density = Normal.pdf(beta)
        let riskControl = Normal.sf(beta) * mean + sd * density
        let riskVariant = sd * density - mean * below
        return Bayesian(
            chanceToWin: inverse ? below : Normal.sf(beta), expected: mean, lower: mean - z * sd, upper: mean + z * sd,
            riskControl: inverse ? riskVariant : riskControl, riskVariant: inverse ? riskControl : riskVariant, problem: nil)
    }

    /// The p-value of the sample-ratio-mismatch check: Pearson's chi-square of the users each
    /// variant got against the planned split. Below 0.001 the split itself is broken.
    public static func sampleRatioMismatch(users: [Int], weights: [Double]) -> Double {
        let total = Double(users.reduce(0, +))
        guard total > 0 else { return 1 }
        let totalWeight = weights.reduce(0, +)
        var statistic = 0.0
        for (observed, weight) in zip(users, weights) where weight > 0 {
            let expected = weight / totalWeight * total
            statistic += (Double(observed) - expected) * (Double(observed) - expected) / expected
        }
        return ChiSquare.sf(statistic, dof: Double(users.count - 1))
    }
}
