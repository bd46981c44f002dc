import AlmanacMetrics

/// Least-squares line through samples, computed exactly as Prometheus computes it for `deriv`
/// and `predict_linear`: x in seconds relative to an intercept time, Kahan–Neumaier compensated
/// sums, a constant series giving slope 0 (or NaN when the constant is infinite).
public enum LinearRegression {
    /// Slope per second and the value at `interceptTime` (ms); nil for fewer than two samples.
    public static func fit(_ samples: [Sample], interceptTime: Int64) -> (slope: Double, intercept: Double)? {
        guard samples.count >= 2 else { return nil }
        var n = 0.0
        var sumX = CompensatedSum()
        var sumY = CompensatedSum()
        var sumXY = CompensatedSum()
        var sumX2 = CompensatedSum()
        let first = samples[0].value
        var constant = true
        for (i, sample) in samples.enumerated() {
            if constant && i > 0 && sample.value != first { constant = false }
            n += 1
            let x = Double(sample.timestamp - interceptTime) / 1e3
            sumX.add(x)
            sumY.add(sample.value)
            sumXY.add(x * sample.value)
            sumX2.add(x * x)
        }
        if constant {
            return first.isInfinite ? (.nan, .nan) : (0, first)
        }
        let (sx, sy, sxy, sx2) = (sumX.total, sumY.total, sumXY.total, sumX2.total)
        let covXY = sxy - sx * sy / n
        let varX = sx2 - sx * sx / n
        let slope = covXY / varX
        return (slope, sy / n - slope * sx / n)
    }

    /// Prometheus's `deriv`: the slope per second, intercept at the first sample.
    public static func deriv(_ samples: [Sample]) -> Double? {
        guard let first = samples.first else { return nil }
        return fit(samples, interceptTime: first.timestamp)?.slope
    }

    /// Prometheus's `predict_linear`: the value `seconds` after `evaluationTime` (ms).
    public static func predictLinear(_ samples: [Sample], evaluationTime: Int64, seconds: Double) -> Double? {
        guard let line = fit(samples, interceptTime: evaluationTime) else { return nil }
        return line.slope * seconds + line.intercept
    }
}

/// Kahan–Neumaier summation, as Prometheus's `kahanSumInc`.
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    mutating func add(_ value: Double) {
        let t = sum + value
        if t.isInfinite {
            compensation = 0
        } else if abs(sum) >= abs(value) {
            compensation += (sum - t) + value
        } else {
            compensation += (value - t) + sum
        }
        sum = t
    }

    var total: Double { sum + compensation }
}
