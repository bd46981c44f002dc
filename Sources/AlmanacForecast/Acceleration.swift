import AlmanacMetrics
import Foundation

/// Growth that compounds: `base + scale × e^(rate × days)`, chosen over a straight line only
/// when it predicts the held-back last quarter of the regime clearly better, so a line with
/// noise is never bent. The base lets the curve cross zero: free space mirrored for a `below`
/// level is negative, and a plain exponential (a line through logarithms) could not be fitted
/// to it, so compounding use of a fixed disk was read as a line and its crossing came months late.
public struct Acceleration: Sendable, Equatable {
    public struct Curve: Sendable, Equatable {
        /// Per day, on the log scale of `value - base` (0.01 compounds by 1% a day).
        public var rate: Double
        public var base: Double
        public var scale: Double
        func value(days: Double) -> Double { base + scale * exp(rate * days) }
    }

    /// The fitted curve and the curves at the ends of its rate's interval.
    public var likely: Curve
    public var low: Curve
    public var high: Curve
    /// Time the curves' days count from (ms).
    public var origin: Int64
    /// Mean absolute error on the held-back quarter: the curve's, and the line's.
    public var backtestError: Double
    public var lineBacktestError: Double

    /// Growth per day at `time`.
    public func growthPerDay(at time: Int64) -> Double {
        likely.scale * likely.rate * exp(likely.rate * days(time))
    }

    func days(_ time: Int64) -> Double { Double(time - origin) / 86_400_000 }

    /// Fits `samples` (sorted, deseasonalised, one regime); nil unless the curve wins.
    static func find(_ samples: [Sample], now: Int64, confidence: Double) -> Acceleration? {
        guard samples.count >= 24, let first = samples.first, let last = samples.last, last.timestamp - first.timestamp >= 5 * 86_400_000
        else { return nil }
        // The same held-back quarter as the line's back-test, so the two errors compare.
        let cut = samples.count * 3 / 4
        guard let lineError = Forecaster.backtest(samples), let train = curve(Array(samples[..<cut]), origin: first.timestamp) else { return nil }
        let curveError =
            samples[cut...].map { abs($0.value - train.value(days: Double($0.timestamp - first.timestamp) / 86_400_000)) }
            .reduce(0, +) / Double(samples.count - cut)
        guard curveError < 0.75 * lineError else { return nil }
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        if let line = LogLine(samples, origin: first.timestamp) {
            let error = line.rateError * z
            return Acceleration(
                likely: line.curve, low: line.curve.with(rate: max(0, line.curve.rate - error)), high: line.curve.with(rate: line.curve.rate + error),
                origin: first.timestamp, backtestError: curveError, lineBacktestError: lineError)
        }
        guard let search = CurveSearch(samples, origin: first.timestamp) else { return nil }
        let (low, high) = search.interval(z: z)
        return Acceleration(
            likely: search.best.curve, low: low, high: high, origin: first.timestamp, backtestError: curveError, lineBacktestError: lineError)
    }

    /// A plain exponential through the logarithms when every value is positive (two parameters
    /// extrapolate more steadily than three), else the curve with a base.
    static func curve(_ samples: [Sample], origin: Int64) -> Curve? {
        LogLine(samples, origin: origin)?.curve ?? CurveSearch(samples, origin: origin)?.best.curve
    }
}

/// A straight line through the logarithms of positive values: an exponential with no base.
struct LogLine {
    var curve: Acceleration.Curve
    /// The rate's standard error per day, widened for the residuals' autocorrelation.
    var rateError: Double

    init?(_ samples: [Sample], origin: Int64) {
        guard samples.count >= 3, samples.allSatisfy({ $0.value > 0 }) else { return nil }
        let logs = samples.map { Sample(timestamp: $0.timestamp, value: log($0.value)) }
        let line = PrefixSums(logs, origin: origin).fit(0, logs.count)
        guard line.sxx > 0 else { return nil }
        let residuals = logs.map { $0.value - line.value(at: Double($0.timestamp - origin) / 1000) }
        curve = Acceleration.Curve(rate: line.slope * 86_400, base: 0, scale: exp(line.intercept))
        rateError = Robust.scale(residuals) * SlopeChange.inflation(residuals) / line.sxx.squareRoot() * 86_400
    }
}

extension Acceleration.Curve {
    func with(rate: Double) -> Self { Self(rate: rate, base: base, scale: scale) }
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
