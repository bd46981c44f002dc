import AlmanacMetrics
import Foundation

/// When a series is expected to cross a threshold: earliest, likely and latest, in ms.
public struct Crossing: Sendable, Equatable {
    public var earliest: Int64
    public var likely: Int64?
    public var latest: Int64?
}

/// A fitted forecast for one series: a robust trend over the current regime, daily and weekly
/// seasonal profiles, and a band from the residuals and the trend's own uncertainty.
public struct Forecast: Sendable {
    public enum Regime: String, Sendable {
        /// One regime: the trend is fitted over the whole window.
        case steady
        /// A level shift (a cleanup) was found: only the samples after it are fitted.
        case afterShift = "after-shift"
        /// Repeated drops (log rotation and the like): the trend of the cycle peaks is fitted.
        case sawtooth
        /// Growth changed pace (`change`): only the samples since are fitted.
        case afterChange = "after-change"
    }

    public var now: Int64
    public var regime: Regime
    public var regimeStart: Int64
    /// Per second.
    public var slope: Double
    public var slopeLow: Double
    public var slopeHigh: Double
    /// Trend value at `now`.
    public var level: Double
    public var residualLow: Double
    public var residualHigh: Double
    /// Seasonal offsets by hour of day (24) and hour of week (168), when the data covers them.
    public var daily: [Double]?
    public var weekly: [Double]?
    /// Where growth changed pace, when it did.
    public var change: SlopeChange?
    /// Compounding growth, when an exponential predicts the regime's end better than the line.
    public var acceleration: Acceleration?
    /// Mean absolute error of the model, fitted on the regime's first three quarters, on its last.
    public var backtestError: Double?
    /// The crossing interval's half-width as a share of the time to the crossing, from back-tests
    /// on this series (nil: the band decides, as for sawtooths).
    public var timingError: Double?
    /// The standard error of a seasonal profile's bin (daily and weekly together), 0 without one.
    public var seasonalError = 0.0
    /// A sawtooth's cycles: the peaks' line is then the value at each cycle's end.
    public var cycle: Cycle?
    /// The history the forecast rests on, ms: from its first sample to its last.
    public var observed: Int64 = 0

    /// How far ahead a crossing may be projected: `Forecaster.reachFactor` times the history,
    /// and nothing from less than `Forecaster.minimumHistory`.
    public var reach: Int64 { observed < Forecaster.minimumHistory ? 0 : observed * Forecaster.reachFactor }

    /// Growth per day now: the line's slope, or the exponential's at this moment.
    public var growthPerDay: Double {
        guard let curve = acceleration else { return slope * 86_400 }
        return curve.growthPerDay(at: now)
    }

    /// The model the forecast follows, in words for pages and reports.
    public var model: String {
        if acceleration != nil { return "accelerating" }
        switch regime {
        case .sawtooth: return "sawtooth"
        case .afterChange: return "line after change point"
        case .afterShift: return "line after cleanup"
        case .steady: return daily != nil || weekly != nil ? "seasonal" : "line"
        }
    }

    func seasonal(at time: Int64) -> Double {
        let hour = Int((time / 3_600_000) % 168 + 168) % 168
        return (weekly?[hour] ?? 0) + (daily?[hour % 24] ?? 0)
    }

    /// The expected value and its band at `time`.
    public func value(at time: Int64) -> (low: Double, likely: Double, high: Double) {
        if let cycle {
            // The peak due at the cycle's end, less the growth still to come before it.
            let end = cycle.end(of: time)
            let (seconds, before) = (Double(end - now) / 1000, cycle.slope * Double(end - time) / 1000)
            let jitter = cycle.slope * Double(cycle.jitter) / 1000
            return (
                level + slopeLow * seconds + residualLow - before - jitter, level + slope * seconds - before,
                level + slopeHigh * seconds + residualHigh - before + jitter
            )
        }
        let seconds = Double(time - now) / 1000
        let season = seasonal(at: time)
        let line = (
            low: level + slopeLow * seconds + season + residualLow, likely: level + slope * seconds + season,
            high: level + slopeHigh * seconds + season + residualHigh
        )
        guard let curve = acceleration else { return line }
        // The band covers both the line and the exponential; the likely value is the exponential's.
        let days = curve.days(time)
        return (
            min(line.low, curve.low.value(days: days) + season + residualLow), curve.likely.value(days: days) + season,
            max(line.high, curve.high.value(days: days) + season + residualHigh)
        )
    }

    /// First crossing of `threshold` (rising) within `horizon` ms, searched `step` ms at a time.
    /// A value crosses only by passing the level, as a rule fires only past it; no crossing is
    /// projected beyond `reach`.
    public func crossing(of threshold: Double, within horizon: Int64, step: Int64 = 3_600_000) -> Crossing? {
        guard reach > 0 else { return nil }
        let horizon = min(horizon, reach)
        var earliest: Int64?
        var likely: Int64?
        var latest: Int64?
        var time = now
        while time <= now + horizon {
            let band = value(at: time)
            if earliest == nil, band.high > threshold { earliest = time }
            if likely == nil, band.likely > threshold { likely = time }
            if latest == nil, band.low > threshold {
                latest = time
                break
            }
            time += max(step, 1)
        }
        guard let timingError, let likely else { return earliest.map { Crossing(earliest: $0, likely: likely, latest: latest) } }
        // The trend's error at the crossing, as the back-tests measured it: the first and last
        // hours that margin allows.
        let distance = abs(threshold - level)
        // A crossing at a season's peak also moves with the error of the profile's bin there: a
        // tenth of it brought the seasonal family from 72% to 82% on seeds 1-300.
        let margin = timingError * distance + 0.1 * seasonalError
        var (first, last): (Int64?, Int64?) = (nil, nil)
        time = now
        while time <= now + horizon {
            let expected = value(at: time).likely
            // A step early: the search finds the first step past the level, up to a step late.
            if first == nil, expected + margin > threshold { first = max(now, time - step) }
            if expected - margin > threshold {
                last = min(now + horizon, time + step)
                break
            }
            time += max(step, 1)
        }
        return Crossing(earliest: min(first ?? likely, likely), likely: likely, latest: last.map { max($0, likely) })
    }
}

public enum Forecaster {
    /// The least history a crossing is projected from: minutes of a new series say nothing
    /// about the coming weeks.
    public static let minimumHistory: Int64 = 6 * 3_600_000
    /// A crossing is projected at most this many times the history ahead.
    public static let reachFactor: Int64 = 3

    /// Fits `samples` (sorted by time) as of `now`; nil when there is too little data.
    public static func fit(_ samples: [Sample], now: Int64, confidence: Double = 0.8) -> Forecast? {
        let clean = hourly(samples.filter { $0.value.isFinite && $0.timestamp <= now })
        guard clean.count >= 6 else { return nil }
        let drops = levelDrops(clean)
        var regime = Forecast.Regime.steady
        var fitted = clean
        if drops.count >= 2 {
            regime = .sawtooth
            fitted = cyclePeaks(clean, drops: drops)
        } else if let last = drops.last {
            regime = .afterShift
            fitted = Array(clean[last...])
        }
        guard fitted.count >= 3, let line = TheilSen(fitted, origin: now, confidence: confidence) else { return nil }
        let residuals = clean[(regime == .afterShift ? drops.last! : 0)...].map { $0.value - line.value(at: $0.timestamp) }
        var forecast = Forecast(
            now: now, regime: regime, regimeStart: fitted.first!.timestamp, slope: line.slope, slopeLow: line.slopeLow,
            slopeHigh: line.slopeHigh, level: line.intercept, residualLow: 0, residualHigh: 0)
        forecast.observed = clean.last!.timestamp - clean.first!.timestamp
        if regime == .sawtooth { forecast.cycle = Cycle.find(clean, drops: drops, now: now) }
        let regimeSamples = Array(clean[(regime == .afterShift ? drops.last! : 0)...])
        let span = regimeSamples.last!.timestamp - regimeSamples.first!.timestamp
        if regime != .sawtooth {
            var errors: [Double] = []
            if span >= 2 * 86_400_000, let daily = profile(regimeSamples, residuals: residuals, bins: 24, period: 86_400_000) {
                (forecast.daily, errors) = (daily.offsets, [daily.error])
            }
            if span >= 14 * 86_400_000 {
                let afterDaily = zip(regimeSamples, residuals).map { $1 - forecast.seasonal(at: $0.timestamp) }
                if let weekly = profile(regimeSamples, residuals: afterDaily, bins: 168, period: 7 * 86_400_000) {
                    (forecast.weekly, errors) = (weekly.offsets, errors + [weekly.error])
                }
            }
            forecast.seasonalError = errors.map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        var remaining = zip(regimeSamples, residuals).map { $1 - forecast.seasonal(at: $0.timestamp) }
        if regime != .sawtooth {
            // A change of pace is looked for once the seasons are out: weekly swings look like one.
            let deseasonalised = regimeSamples.map { Sample(timestamp: $0.timestamp, value: $0.value - forecast.seasonal(at: $0.timestamp)) }
            // The line again without the seasons: their lopsided share of the regime biased its
            // level, and a crossing at a season's flat peak moves by hours for a small bias.
            if let refit = TheilSen(deseasonalised, origin: now, confidence: confidence) {
                (forecast.slope, forecast.slopeLow, forecast.slopeHigh, forecast.level) = (
                    refit.slope, refit.slopeLow, refit.slopeHigh, refit.intercept
                )
                remaining = deseasonalised.map { $0.value - refit.value(at: $0.timestamp) }
            }
            if let change = SlopeChange.find(deseasonalised),
                let recent = TheilSen(Array(deseasonalised[change.index...]), origin: now, confidence: confidence)
            {
                forecast.regime = .afterChange
                forecast.change = change
                forecast.regimeStart = change.at
                (forecast.slope, forecast.slopeLow, forecast.slopeHigh, forecast.level) = (
                    recent.slope, recent.slopeLow, recent.slopeHigh, recent.intercept
                )
                remaining = deseasonalised[change.index...].map { $0.value - recent.value(at: $0.timestamp) }
            }
            let current = Array(deseasonalised[(forecast.change?.index ?? 0)...])
            forecast.acceleration = Acceleration.find(current, now: now, confidence: confidence)
            forecast.backtestError = forecast.acceleration?.backtestError ?? backtest(current)
            forecast.timingError = TimingError.measure(
                current, accelerating: forecast.acceleration != nil, shortened: forecast.regime != .steady, now: now, confidence: confidence)
        }
        let half = (1 - confidence) / 2
        let sortedResiduals = remaining.sorted()
        forecast.residualLow = min(0, Robust.quantile(sorted: sortedResiduals, half))
        forecast.residualHigh = max(0, Robust.quantile(sorted: sortedResiduals, 1 - half))
        if forecast.cycle != nil {
            // The cycles' shape is modelled: the band is the peaks' own scatter about their line.
            let peaks = fitted.map { $0.value - line.value(at: $0.timestamp) }.sorted()
            forecast.residualLow = min(0, Robust.quantile(sorted: peaks, half))
            forecast.residualHigh = max(0, Robust.quantile(sorted: peaks, 1 - half))
        } else if regime == .sawtooth {
            // The peaks are the fitted line; values between them sit below it.
            forecast.residualLow = min(forecast.residualLow, Robust.quantile(sorted: sortedResiduals, 0.05))
            forecast.residualHigh = max(0, forecast.residualHigh)
        }
        return forecast
    }

    /// The line's mean absolute error on the last quarter when fitted on the first three.
    static func backtest(_ samples: [Sample]) -> Double? {
        guard samples.count >= 8, let origin = samples.first?.timestamp else { return nil }
        let cut = samples.count * 3 / 4
        let line = PrefixSums(samples, origin: origin).fit(0, cut)
        let errors = samples[cut...].map { abs($0.value - line.value(at: Double($0.timestamp - origin) / 1000)) }
        return errors.reduce(0, +) / Double(errors.count)
    }
}
