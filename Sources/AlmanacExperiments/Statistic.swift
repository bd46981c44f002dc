/// Sums over one variant's units for one measure, as an events table or a query returns them.
/// A proportion's units are 0 or 1, so its sum of squares is its sum.
public struct Moments: Sendable, Hashable, Codable {
    public var n: Int
    public var sum: Double
    public var sumSquares: Double
    public var isProportion: Bool

    public init(n: Int, sum: Double, sumSquares: Double) {
        self.n = n
        self.sum = sum
        self.sumSquares = sumSquares
        isProportion = false
    }

    public static func proportion(n: Int, conversions: Double) -> Moments {
        var moments = Moments(n: n, sum: conversions, sumSquares: conversions)
        moments.isProportion = true
        return moments
    }

    public var mean: Double { n == 0 ? 0 : sum / Double(n) }

    /// A proportion's variance is p(1 − p), as GrowthBook's engine has it; a mean's is the sample's.
    public var variance: Double {
        if isProportion { return mean * (1 - mean) }
        guard n > 1 else { return 0 }
        return (sumSquares - sum * sum / Double(n)) / Double(n - 1)
    }

    static func + (a: Moments, b: Moments) -> Moments {
        var joint = Moments(n: a.n + b.n, sum: a.sum + b.sum, sumSquares: a.sumSquares + b.sumSquares)
        joint.isProportion = a.isProportion && b.isProportion
        return joint
    }
}

/// One variant's figure on one metric, as the tests read it: a plain mean or proportion, a
/// ratio of two per-unit measures (delta method), or a mean adjusted by its pre-period (CUPED).
public enum Statistic: Sendable, Hashable {
    case plain(Moments)
    case ratio(numerator: Moments, denominator: Moments, sumProducts: Double)
    case adjusted(post: Moments, pre: Moments, sumProducts: Double, theta: Double)

    public var n: Int {
        switch self {
        case .plain(let m): m.n
        case .ratio(let m, _, _): m.n
        case .adjusted(let post, _, _, _): post.n
        }
    }

    public var mean: Double {
        switch self {
        case .plain(let m): return m.mean
        case .ratio(let m, let d, _): return d.sum == 0 ? 0 : m.sum / d.sum
        case .adjusted(let post, let pre, _, let theta): return post.mean - theta * pre.mean
        }
    }

    /// The mean before any adjustment: relative lifts are read against it.
    public var unadjustedMean: Double {
        if case .adjusted(let post, _, _, _) = self { return post.mean }
        return mean
    }

    public var variance: Double {
        switch self {
        case .plain(let m): return m.variance
        case .ratio(let m, let d, let products):
            guard d.mean != 0, m.n > 1 else { return 0 }
            let covariance = Self.covariance(m, d, products)
            return m.variance / (d.mean * d.mean) - 2 * covariance * m.mean / (d.mean * d.mean * d.mean)
                + m.mean * m.mean * d.variance / (d.mean * d.mean * d.mean * d.mean)
        case .adjusted(let post, let pre, let products, let theta):
            guard post.n > 1 else { return 0 }
            return post.variance + theta * theta * pre.variance - 2 * theta * Self.covariance(post, pre, products)
        }
    }

    static func covariance(_ a: Moments, _ b: Moments, _ products: Double) -> Double {
        guard a.n > 1 else { return 0 }
        return (products - a.sum * b.sum / Double(a.n)) / Double(a.n - 1)
    }

    /// CUPED's θ for a pair of variants, from their pooled data (Deng et al., 2013), set on both;
    /// without variance in either period the pair is compared unadjusted, as GrowthBook does.
    public static func adjustedPair(_ a: Statistic, _ b: Statistic) -> (Statistic, Statistic) {
        guard case .adjusted(let postA, let preA, let productsA, _) = a, case .adjusted(let postB, let preB, let productsB, _) = b else {
            return (a, b)
        }
        let post = postA + postB
        let pre = preA + preB
        guard pre.variance != 0, post.variance != 0 else { return (.plain(postA), .plain(postB)) }
        let theta = covariance(post, pre, productsA + productsB) / pre.variance
        guard theta != 0 else { return (.plain(postA), .plain(postB)) }
        return (
            .adjusted(post: postA, pre: preA, sumProducts: productsA, theta: theta),
            .adjusted(post: postB, pre: preB, sumProducts: productsB, theta: theta)
        )
    }
}
