/// A metric read from counters labelled with the variant, where only totals are known.
public enum SeriesMetric {
    /// A counter per exposed user. Each user's count is taken as Poisson (its variance equals its
    /// mean), the usual model for event counts when no per-user figures exist.
    public static func counter(users: [String: Int], counts: [String: Double]) -> [String: Moments] {
        var out: [String: Moments] = [:]
        for (variant, n) in users where n > 0 {
            let total = max(0, counts[variant] ?? 0)
            out[variant] = Moments(n: n, sum: total, sumSquares: total + total * total / Double(n))
        }
        return out
    }

    /// The numerator's share of the denominator's events, each event a unit that was counted or not.
    public static func ratio(numerator: [String: Double], denominator: [String: Double]) -> [String: Moments] {
        var out: [String: Moments] = [:]
        for (variant, total) in denominator where total >= 1 {
            let n = Int(total.rounded())
            out[variant] = .proportion(n: n, conversions: min(max(0, (numerator[variant] ?? 0).rounded()), Double(n)))
        }
        return out
    }
}
