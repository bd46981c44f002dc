import Foundation

/// The normal, Student's t and chi-square distributions the results need, to the precision of
/// scipy (which gbstats calls). Written here because no package on this machine has them; the
/// methods are the textbook ones: Acklam's quantile refined by Halley's step, and the
/// regularized incomplete beta and gamma functions by Lentz's continued fractions.
public enum Normal {
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    /// 1 − cdf, without the cancellation far in the upper tail.
    public static func sf(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
    public static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }

    public static func ppf(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
            2.506628277459239e+00,
        ]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
            2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - 0.02425 {
            let q = p - 0.5
            let r = q * q
            x =
                (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // Two Halley steps take Acklam's 1e-9 to the last bits.
        for _ in 0..<2 {
            // cdf(x) − p, read from the nearer tail.
            let e = p < 0.5 ? cdf(x) - p : (1 - p) - sf(x)
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}

public enum StudentT {
    /// P(T ≤ t) with `dof` degrees of freedom (not necessarily whole: Welch's are not).
    public static func cdf(_ t: Double, dof: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let tail = 0.5 * tailBeta(t, dof: dof)
        return t > 0 ? 1 - tail : tail
    }

    /// P(|T| ≥ |t|), computed directly so small p-values keep their digits.
    public static func twoSided(_ t: Double, dof: Double) -> Double {
        guard t.isFinite else { return 0 }
        return tailBeta(t, dof: dof)
    }

    /// I_x(ν/2, 1/2) at x = ν/(ν + t²), with 1 − x given exactly rather than subtracted.
    static func tailBeta(_ t: Double, dof: Double) -> Double {
        let sum = dof + t * t
        // log x = −log(1 + t²/ν) keeps its digits when x is within 1e-6 of 1.
        return SpecialFunctions.incompleteBeta(
            dof / sum, complement: t * t / sum, a: dof / 2, b: 0.5, logX: -log1p(t * t / dof), logY: log(t * t / sum))
    }

    public static func pdf(_ t: Double, dof: Double) -> Double {
        exp(lgamma((dof + 1) / 2) - lgamma(dof / 2) - 0.5 * log(dof * Double.pi) - (dof + 1) / 2 * log1p(t * t / dof))
    }

    /// The t with P(T ≤ t) = p: Newton's steps from the normal quantile, kept inside a bracket.
    public static func ppf(_ p: Double, dof: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -ppf(1 - p, dof: dof) }
        var low = 0.0
        var high = max(1.0, Normal.ppf(p) * 2)
        while cdf(high, dof: dof) < p { high *= 2 }
        var x = min(max(Normal.ppf(p), low), high)
        for _ in 0..<200 {
            // The upper tail, so p near 1 keeps its precision.
            let f = (1 - p) - 0.5 * tailBeta(x, dof: dof)
            if f > 0 { high = x } else { low = x }
            var next = x + f / pdf(x, dof: dof)
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - x) <= 1e-15 * max(1, abs(x)) { return next }
            x = next
        }
        return x
    }
}

public enum ChiSquare {
    /// P(X ≥ x) with `dof` degrees of freedom.
    public static func sf(_ x: Double, dof: Double) -> Double {
        guard x > 0 else { return 1 }
        return SpecialFunctions.upperIncompleteGamma(dof / 2, x / 2)
    }
}

enum SpecialFunctions {
    static let epsilon = 1e-16
    static let tiny = 1e-300

    /// The regularized incomplete beta function I_x(a, b); `complement` is 1 − x.
    static func incompleteBeta(_ x: Double, complement y: Double, a: Double, b: Double, logX: Double? = nil, logY: Double? = nil) -> Double {
        guard x > 0 else { return 0 }
        guard y > 0 else { return 1 }
        let powers: Double = a * (logX ?? log(x)) + b * (logY ?? log(y))
        let front = exp(logGammaRatio(a, b) - lgamma(b) + powers)
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a: a, b: b) / a }
        return 1 - front * betaFraction(y, a: b, b: a) / b
    }

    /// log Γ(a + b) − log Γ(a). For large a the two logs agree in their first digits (Student's t
    /// with a million degrees of freedom has a = 500,000), so Stirling's series is differenced
    /// term by term instead.
    static func logGammaRatio(_ a: Double, _ b: Double) -> Double {
        guard a >= 10 else { return lgamma(a + b) - lgamma(a) }
        func correction(_ x: Double) -> Double {
            let x2 = x * x
            return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * x2)) / x2) / x2) / x
        }
        return (a - 0.5) * log1p(b / a) + b * log(a + b) - b + correction(a + b) - correction(a)
    }

    static func betaFraction(_ x: Double, a: Double, b: Double) -> Double {
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < epsilon { break }
        }
        return h
    }

    /// The regularized upper incomplete gamma function Q(a, x).
    static func upperIncompleteGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let front = exp(-x + a * log(x) - lgamma(a))
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * epsilon { break }
            }
            return 1 - sum * front
        }
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < epsilon { break }
        }
        return front * h
    }
}
