import AlmanacMetrics
import Foundation

/// Growth that compounds: an exponential (a straight line in the logarithm) chosen over a
/// straight line only when it predicts the held-back last quarter of the regime clearly better,
/// so a line with noise is never bent.
public struct Acceleration: Sendable, Equatable {
    /// Growth rate per second on the log scale (0.01 a day compounds by 1% a day), with its band.
    public var rate: Double
    public var rateLow: Double
    public var rateHigh: Double
    /// The fitted value at `now`.
    public var level: Double
    /// Mean absolute error on the held-back quarter: the exponential's, and the line's.
    public var backtestError: Double
    public var lineBacktestError: Double

    /// Fits `samples` (sorted, deseasonalised, one regime); nil unless the exponential wins.
    static func find(_ samples: [Sample], now: Int64, confidence: Double) -> Acceleration? {
        guard samples.count >= 24, let first = samples.first, let last = samples.last, last.timestamp - first.timestamp >= 5 * 86_400_000,
            samples.allSatisfy({ $0.value > 0 })
        else { return nil }
        let logs = samples.map { Sample(timestamp: $0.timestamp, value: Foundation.log($0.value)) }
        // The same held-back quarter as the line's back-test, so the two errors compare.
        let cut = samples.count * 3 / 4
        let trainCurve = PrefixSums(logs, origin: first.timestamp).fit(0, cut)
        let curveError =
            samples[cut...].map { abs($0.value - exp(trainCurve.value(at: Double($0.timestamp - first.timestamp) / 1000))) }
            .reduce(0, +) / Double(samples.count - cut)
        guard let lineError = Forecaster.backtest(samples), trainCurve.slope > 0, curveError < 0.75 * lineError else { return nil }
        let whole = PrefixSums(logs, origin: first.timestamp).fit(0, samples.count)
        var residuals: [Double] = []
        for sample in logs { residuals.append(sample.value - whole.value(at: Double(sample.timestamp - first.timestamp) / 1000)) }
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        let error = Robust.scale(residuals) * SlopeChange.inflation(residuals) / whole.sxx.squareRoot() * z
        let x = Double(now - first.timestamp) / 1000
        return Acceleration(
            rate: whole.slope, rateLow: max(0, whole.slope - error), rateHigh: whole.slope + error, level: exp(whole.value(at: x)),
            backtestError: curveError, lineBacktestError: lineError)
    }
}

/// The standard normal's quantile function (Acklam's rational approximation, good to 1e-9),
/// written here because Foundation has none.
enum Normal {
    static func quantile(_ p: Double) -> Double {
        let a = [
            -39.696_830_286_653_76, 220.946_098_424_520_5, -275.928_510_446_968_7, 138.357_751_867_269, -30.664_798_066_147_16,
            2.506_628_277_459_239,
        ]
        let b = [-54.476_098_798_224_06, 161.585_836_858_040_9, -155.698_979_859_886_6, 66.801_311_887_719_72, -13.280_681_552_885_72]
        let c = [
            -0.007_784_894_002_430_293, -0.322_396_458_041_136_4, -2.400_758_277_161_838, -2.549_732_539_343_734,
            4.374_664_141_464_968, 2.938_163_982_698_783,
        ]
        let d = [0.007_784_695_709_041_462, 0.322_467_129_070_039_8, 2.445_134_137_142_996, 3.754_408_661_907_416]
        let low = 0.024_25
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -quantile(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
