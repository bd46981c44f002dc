import AlmanacForecast
import AlmanacMetrics

/// What to follow over the long run: a series, the service it belongs to, and the level that
/// matters for it (from a rule), if any.
public struct TrendSubject: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable { case above, below }

    public var service: String
    public var name: String
    public var labels: [Label]
    public var threshold: Double?
    public var direction: Direction
    /// Where the level comes from (a rule's name), for the reader who wants to change it.
    public var source: String?

    public init(service: String, name: String, labels: [Label], threshold: Double? = nil, direction: Direction = .above, source: String? = nil) {
        self.service = service
        self.name = name
        self.labels = labels
        self.threshold = threshold
        self.direction = direction
        self.source = source
    }
}

/// Growth of one series and, when it has a level, when it is expected to reach it.
public struct Trend: Sendable {
    public var subject: TrendSubject
    public var now: Int64
    public var current: Double
    /// Change per day of the robust trend (negative: shrinking).
    public var perDay: Double
    public var perWeek: Double { perDay * 7 }
    public var perMonth: Double { perDay * 30 }
    /// Month's change as a share of the current value, for comparing series of any unit.
    public var relativePerMonth: Double? { current == 0 ? nil : perMonth / abs(current) }
    public var regime: Forecast.Regime
    /// The forecast's model in words (line, line after change point, accelerating, sawtooth, seasonal).
    public var model: String
    public var regimeStart: Int64
    /// When growth changed pace, with the rates per day before and after.
    public var change: (at: Int64, beforePerDay: Double, afterPerDay: Double)?
    public var backtestError: Double?
    public var crossing: Crossing?
    /// The history the forecast rests on, and how far ahead it looked for the level: at most
    /// three times that history, nothing from under six hours (`Forecaster.reach`).
    public var observed: Int64
    public var lookedAhead: Int64
    /// Hourly history and the forecast band, for charts.
    public var history: [Sample]
    public var band: [(time: Int64, low: Double, likely: Double, high: Double)]

    /// Fits `samples` (time order) as of `now` and looks up to `horizon` ms ahead for the
    /// subject's level; nil when there is too little data for a trend.
    public static func fit(_ subject: TrendSubject, samples: [Sample], now: Int64, horizon: Int64 = 365 * 86_400_000) -> Trend? {
        // The forecaster finds rising crossings and treats drops as cleanups; a level that must
        // not be undershot (free space) is therefore fitted on the mirrored series.
        let sign: Double = subject.direction == .below ? -1 : 1
        let fitted = sign > 0 ? samples : samples.map { Sample(timestamp: $0.timestamp, value: -$0.value) }
        guard let last = samples.last, let forecast = Forecaster.fit(fitted, now: now) else { return nil }
        let crossing = subject.threshold.flatMap { forecast.crossing(of: sign * $0, within: horizon, step: max(horizon / 1460, 60_000)) }
        let span = max(now - (samples.first?.timestamp ?? now), 3_600_000)
        let ahead = min(span, horizon)
        let band = stride(from: now, through: now + ahead, by: Int(max(ahead / 48, 1))).map { t in
            let v = forecast.value(at: t)
            return sign > 0 ? (time: t, low: v.low, likely: v.likely, high: v.high) : (time: t, low: -v.high, likely: -v.likely, high: -v.low)
        }
        return Trend(
            subject: subject, now: now, current: last.value, perDay: sign * forecast.growthPerDay, regime: forecast.regime, model: forecast.model,
            regimeStart: forecast.regimeStart,
            change: forecast.change.map { ($0.at, sign * $0.before * 86_400, sign * $0.after * 86_400) },
            backtestError: forecast.backtestError, crossing: crossing, observed: forecast.observed, lookedAhead: min(horizon, forecast.reach),
            history: hourlyMeans(samples), band: band)
    }

    static func hourlyMeans(_ samples: [Sample]) -> [Sample] {
        var out: [Sample] = []
        var hour = Int64.min
        var sum = 0.0
        var count = 0.0
        for sample in samples where sample.value.isFinite {
            let h = sample.timestamp / 3_600_000
            if h != hour, count > 0 {
                out.append(Sample(timestamp: hour * 3_600_000, value: sum / count))
                sum = 0
                count = 0
            }
            hour = h
            sum += sample.value
            count += 1
        }
        if count > 0 { out.append(Sample(timestamp: hour * 3_600_000, value: sum / count)) }
        return out
    }
}

extension Array where Element == Trend {
    /// Fastest first: series heading for their level soonest, then by growth relative to their size.
    public func ranked() -> [Trend] {
        sorted { a, b in
            switch (a.crossing?.likely ?? a.crossing?.earliest, b.crossing?.likely ?? b.crossing?.earliest) {
            case (let x?, let y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default:
                let ra = abs(a.relativePerMonth ?? 0)
                let rb = abs(b.relativePerMonth ?? 0)
                return ra != rb ? ra > rb : (a.subject.service, a.subject.name) < (b.subject.service, b.subject.name)
            }
        }
    }
}
