import AlmanacConfig
import Foundation

/// A pass/fail line in k6's spirit: `p95 < 200ms`, `error_rate < 1%`, `rps > 500`.
/// Latency percentiles are response times (from each request's intended start); `service_p99`
/// reads the service time (from the moment it was sent) instead.
public struct Threshold: Sendable, Hashable, CustomStringConvertible {
    public enum Metric: Sendable, Hashable {
        case responsePercentile(Double)
        case servicePercentile(Double)
        case maximum, mean, errorRate, rate, lateRate, droppedRate
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case less = "<"
        case greater = ">"
    }

    public var metric: Metric
    public var comparison: Comparison
    /// Microseconds for latencies, a fraction for rates, requests per second for `rps`.
    public var limit: Double
    public var text: String

    public var description: String { text }

    /// Parses one threshold; the error says what was expected, the caller adds file and line.
    public static func parse(_ text: String) -> Result<Threshold, ThresholdProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let comparison = Comparison.allCases.first(where: { trimmed.contains($0.rawValue) }),
            let range = trimmed.range(of: comparison.rawValue)
        else { return .failure(ThresholdProblem("'\(text)' has no comparison (<, <=, > or >=)")) }
        let name = trimmed[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let value = trimmed[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let metric = metric(name) else {
            return .failure(
                ThresholdProblem("unknown metric '\(name)' (expected p50, p99.9, service_p99, max, avg, error_rate, rps, late_rate or dropped_rate)"))
        }
        let limit: Double?
        switch metric {
        case .responsePercentile, .servicePercentile, .maximum, .mean: limit = microseconds(value)
        case .rate: limit = Double(value).flatMap { $0 >= 0 ? $0 : nil }
        case .errorRate, .lateRate, .droppedRate: limit = fraction(value)
        }
        guard let limit else {
            let expected =
                metric == .rate
                ? "a number of requests per second" : isLatency(metric) ? "a duration such as 200ms or 1.5s" : "a share such as 1% or 0.01"
            return .failure(ThresholdProblem("'\(value)' in '\(text)' is not \(expected)"))
        }
        return .success(Threshold(metric: metric, comparison: comparison, limit: limit, text: trimmed))
    }

    /// Whether the measured value keeps within the limit.
    public func holds(_ value: Double) -> Bool {
        switch comparison {
        case .less: value < limit
        case .lessOrEqual: value <= limit
        case .greater: value > limit
        case .greaterOrEqual: value >= limit
        }
    }

    static func isLatency(_ metric: Metric) -> Bool {
        switch metric {
        case .responsePercentile, .servicePercentile, .maximum, .mean: true
        default: false
        }
    }

    private static func metric(_ name: String) -> Metric? {
        switch name {
        case "max": return .maximum
        case "avg", "mean": return .mean
        case "error_rate": return .errorRate
        case "rps": return .rate
        case "late_rate": return .lateRate
        case "dropped_rate": return .droppedRate
        default: break
        }
        if name.hasPrefix("service_p"), let p = percentile(name.dropFirst(9)) { return .servicePercentile(p) }
        if name.hasPrefix("p"), let p = percentile(name.dropFirst()) { return .responsePercentile(p) }
        return nil
    }

    private static func percentile(_ text: Substring) -> Double? {
        guard let p = Double(text), p > 0, p < 100 else { return nil }
        return p
    }

    static func microseconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("us", 1), ("µs", 1), ("ms", 1000), ("s", 1_000_000), ("m", 60_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return n * scale
        }
        return nil
    }

    private static func fraction(_ text: String) -> Double? {
        if text.hasSuffix("%") { return Double(text.dropLast()).flatMap { $0 >= 0 && $0 <= 100 ? $0 / 100 : nil } }
        return Double(text).flatMap { $0 >= 0 && $0 <= 1 ? $0 : nil }
    }
}

public struct ThresholdProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
