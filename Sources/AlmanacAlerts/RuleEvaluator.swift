import AlmanacForecast
import AlmanacMetrics

public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case warning, critical
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .critical }
}

/// A series with its samples, sorted by time.
public struct SeriesData: Sendable {
    public var name: String
    public var labels: [Label]
    public var samples: [Sample]

    public init(name: String, labels: [Label], samples: [Sample]) {
        self.name = name
        self.labels = labels
        self.samples = samples
    }
}

/// What a rule found for one series at one evaluation.
public struct RuleResult: Sendable, Equatable {
    public var labels: [Label]
    /// The computed value (nil for absent series).
    public var value: Double?
    /// Nil when the condition does not hold.
    public var severity: Severity?

    public init(labels: [Label], value: Double?, severity: Severity?) {
        self.labels = labels
        self.value = value
        self.severity = severity
    }
}

/// Evaluates rules against series. Pure: the caller fetches the samples and keeps the state.
public enum RuleEvaluator {
    /// A sample older than this no longer counts as the current value, as in Prometheus.
    public static let staleness: Int64 = 5 * 60_000

    /// Results for the series the rule selects. `firing` holds the label sets of this rule's
    /// alerts that fire now, so hysteresis can keep them from flapping.
    public static func evaluate(_ rule: AlertRule, series: [SeriesData], now: Int64, firing: Set<[Label]> = []) -> [RuleResult] {
        let selected = series.filter { rule.selector.matches(name: $0.name, labels: $0.labels) }
        if case .absent(let duration) = rule.condition {
            if selected.isEmpty {
                let labels = rule.selector.matchers.filter { $0.kind == .equal }.map { Label($0.label, $0.value) }.sorted()
                return [RuleResult(labels: labels, value: nil, severity: .critical)]
            }
            return selected.map { s in
                let last = s.samples.last?.timestamp ?? .min
                return RuleResult(labels: s.labels, value: nil, severity: now - last > duration ? .critical : nil)
            }
        }
        return selected.compactMap { s in
            switch rule.condition {
            case .threshold(let direction, let warning, let critical, let hysteresis):
                guard let value = apply(rule.function, to: s.samples, now: now) else { return nil }
                return RuleResult(
                    labels: s.labels, value: value,
                    severity: level(value, direction, warning, critical, hysteresis: firing.contains(s.labels) ? hysteresis : 0))
            case .forecast(let direction, let level, let within, let confidence):
                let recent = s.samples.filter { $0.timestamp <= now }
                let flipped = direction == .below ? recent.map { Sample(timestamp: $0.timestamp, value: -$0.value) } : recent
                let threshold = direction == .below ? -level : level
                guard let forecast = Forecaster.fit(flipped, now: now, confidence: confidence) else { return nil }
                let crossing = forecast.crossing(of: threshold, within: within)
                let severity: Severity? = crossing?.likely != nil ? .critical : crossing != nil ? .warning : nil
                return RuleResult(labels: s.labels, value: recent.last?.value, severity: severity)
            case .absent:
                return nil
            }
        }
    }

    static func level(_ value: Double, _ direction: AlertRule.Direction, _ warning: Double?, _ critical: Double?, hysteresis: Double) -> Severity? {
        func beyond(_ level: Double?, margin: Double) -> Bool {
            guard let level else { return false }
            return direction == .above ? value > level - margin : value < level + margin
        }
        if beyond(critical, margin: 0) { return .critical }
        if beyond(warning, margin: 0) { return .warning }
        // Firing already: stays so while still within the hysteresis band of its lowest level.
        if hysteresis > 0, beyond(warning ?? critical, margin: hysteresis) { return warning != nil ? .warning : .critical }
        return nil
    }

    /// The rule's function over the samples up to `now`; nil when there is nothing recent.
    public static func apply(_ function: AlertRule.Function, to samples: [Sample], now: Int64) -> Double? {
        switch function {
        case .last:
            guard let last = samples.last(where: { $0.timestamp <= now }), now - last.timestamp <= staleness else { return nil }
            return last.value
        case .rate(let window):
            return CounterMath.rate(samples, range: window, end: now)
        case .deriv(let window):
            return LinearRegression.deriv(samples.window(endingAt: now, range: window))
        case .average(let window):
            let w = samples.window(endingAt: now, range: window).map(\.value)
            return w.isEmpty ? nil : w.reduce(0, +) / Double(w.count)
        case .maximum(let window):
            return samples.window(endingAt: now, range: window).map(\.value).max()
        case .minimum(let window):
            return samples.window(endingAt: now, range: window).map(\.value).min()
        }
    }
}
