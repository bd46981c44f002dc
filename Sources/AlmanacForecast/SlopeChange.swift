import AlmanacMetrics

/// Where growth changed pace: the split of a series into two least-squares lines that fits
/// best, kept only when the two slopes differ by more than their noise allows. Sums over
/// prefixes make every candidate split cost O(1), so a 30-day hourly series takes microseconds.
public struct SlopeChange: Sendable, Equatable {
    /// The first sample of the new regime (ms).
    public var at: Int64
    /// Slopes per second before and after.
    public var before: Double
    public var after: Double
    /// Index of the first sample after the change, in the samples searched.
    var index: Int

    /// Searches `samples` (sorted, deseasonalised) for a change whose regimes each last at
    /// least `minimum` ms; nil when one line explains them.
    static func find(_ samples: [Sample], minimum: Int64 = 2 * 86_400_000) -> SlopeChange? {
        let n = samples.count
        guard n >= 12, let first = samples.first, let last = samples.last, last.timestamp - first.timestamp >= 2 * minimum else {
            return nil
        }
        let sums = PrefixSums(samples, origin: first.timestamp)
        var best: (sse: Double, index: Int)?
        for index in 2..<(n - 2) {
            guard samples[index].timestamp - first.timestamp >= minimum, last.timestamp - samples[index].timestamp >= minimum else { continue }
            let sse = sums.fit(0, index).sse + sums.fit(index, n).sse
            if sse < best?.sse ?? .infinity { best = (sse, index) }
        }
        guard let best else { return nil }
        let left = sums.fit(0, best.index)
        let right = sums.fit(best.index, n)
        // Residual noise, robustly, inflated for its autocorrelation: hourly means of a series
        // with leftover seasonality are not independent, and plain least squares would see
        // changes in every wiggle.
        var residuals: [Double] = []
        residuals.reserveCapacity(n)
        for (i, sample) in samples.enumerated() {
            let line = i < best.index ? left : right
            residuals.append(sample.value - line.value(at: Double(sample.timestamp - first.timestamp) / 1000))
        }
        let sigma = Robust.scale(residuals) * inflation(residuals)
        guard sigma.isFinite else { return nil }
        let error = sigma * (1 / left.sxx + 1 / right.sxx).squareRoot()
        let difference = abs(right.slope - left.slope)
        guard difference > 4 * error, difference > 0.25 * max(abs(left.slope), abs(right.slope)) else { return nil }
        return SlopeChange(at: samples[best.index].timestamp, before: left.slope, after: right.slope, index: best.index)
    }

    /// sqrt((1 + r) / (1 - r)) for the residuals' lag-one autocorrelation r: how much wider
    /// the slopes' error is than independent noise would make it.
    static func inflation(_ residuals: [Double]) -> Double {
        guard residuals.count > 3 else { return 1 }
        let mean = residuals.reduce(0, +) / Double(residuals.count)
        var numerator = 0.0
        var denominator = 0.0
        for i in residuals.indices {
            let d = residuals[i] - mean
            denominator += d * d
            if i > 0 { numerator += d * (residuals[i - 1] - mean) }
        }
        guard denominator > 0 else { return 1 }
        let r = min(0.95, max(0, numerator / denominator))
        return ((1 + r) / (1 - r)).squareRoot()
    }
}

/// Running sums of x (seconds from an origin), y, x², xy and y², for least-squares lines over
/// any range of samples.
struct PrefixSums {
    struct Line {
        var slope: Double
        var intercept: Double
        var sse: Double
        /// Sum of squared x deviations: the slope's error is sigma / sqrt(sxx).
        var sxx: Double
        func value(at x: Double) -> Double { intercept + slope * x }
    }

    private var x: [Double] = [0]
    private var y: [Double] = [0]
    private var xx: [Double] = [0]
    private var xy: [Double] = [0]
    private var yy: [Double] = [0]

    init(_ samples: [Sample], origin: Int64) {
        for sample in samples {
            let sx = Double(sample.timestamp - origin) / 1000
            x.append(x.last! + sx)
            y.append(y.last! + sample.value)
            xx.append(xx.last! + sx * sx)
            xy.append(xy.last! + sx * sample.value)
            yy.append(yy.last! + sample.value * sample.value)
        }
    }

    /// The least-squares line through samples `start..<end`.
    func fit(_ start: Int, _ end: Int) -> Line {
        let n = Double(end - start)
        let (sx, sy) = (x[end] - x[start], y[end] - y[start])
        let sxx = (xx[end] - xx[start]) - sx * sx / n
        let sxy = (xy[end] - xy[start]) - sx * sy / n
        let syy = (yy[end] - yy[start]) - sy * sy / n
        guard sxx > 0 else { return Line(slope: 0, intercept: sy / n, sse: max(0, syy), sxx: 0) }
        let slope = sxy / sxx
        return Line(slope: slope, intercept: (sy - slope * sx) / n, sse: max(0, syy - slope * sxy), sxx: sxx)
    }
}
