import AlmanacForecast
import AlmanacMetrics

/// Where a monthly figure (money or kg CO2e, for one service or all) is heading: the trend
/// engine's fit of each day's figure, read 6 and 12 months ahead with its range.
public struct CostOutlook: Sendable, Codable, Hashable {
    public enum Measure: String, Sendable, Codable {
        case money
        case co2eKg = "co2e_kg"
    }

    public struct Range: Sendable, Codable, Hashable {
        public var low, likely, high: Double
    }

    /// A service, or nil for all of them.
    public var service: String?
    public var measure: Measure
    /// The last day's figure, as a month of it.
    public var now: Double
    public var sixMonths: Range
    public var twelveMonths: Range
    /// The trend engine's model ("line", "line after change point", "exponential"…).
    public var model: String
    public var days: Int

    /// Fits `daily` (one sample a day: that day's figure times the days of a month); nil under a week.
    public static func fit(service: String?, measure: Measure, daily: [Sample]) -> CostOutlook? {
        guard daily.count >= 7, let last = daily.last, let forecast = Forecaster.fit(daily, now: last.timestamp) else { return nil }
        // The same time of day as the samples, so the fit's daily season (if any) reads alike.
        func range(days: Int64) -> Range {
            let v = forecast.value(at: last.timestamp + days * 86_400_000)
            return Range(low: max(0, v.low), likely: max(0, v.likely), high: max(0, v.high))
        }
        return CostOutlook(
            service: service, measure: measure, now: last.value, sixMonths: range(days: 183), twelveMonths: range(days: 365), model: forecast.model,
            days: daily.count)
    }
}

/// The series the costs job writes a sample of each day, so alert rules can watch a budget with
/// a forecast, as they watch a disk: the day's figure as a month of it (730 hours).
public enum CostSeries {
    public static let money = "almanac_cost_per_month"
    public static let carbon = "almanac_co2e_kg_per_month"

    /// The day's samples: each service's and, with no `service` label, the total.
    public static func samples(_ report: CostReport, at time: Int64) -> [(name: String, labels: [Label], sample: Sample)] {
        let perMonth = 730 / max(report.hours, 1e-9)
        var out: [(name: String, labels: [Label], sample: Sample)] = []
        let currency = Label("currency", report.currency)
        for row in report.services where !(row.missingUsage && row.cost == 0) {
            let service = Label("service", row.service)
            out.append((money, [currency, service], Sample(timestamp: time, value: row.cost * perMonth)))
            out.append((carbon, [service], Sample(timestamp: time, value: row.grams / 1000 * perMonth)))
        }
        let cost = report.hosts.reduce(0) { $0 + $1.cost }
        let grams = report.hosts.reduce(0) { $0 + $1.grams }
        out.append((money, [currency], Sample(timestamp: time, value: cost * perMonth)))
        out.append((carbon, [], Sample(timestamp: time, value: grams / 1000 * perMonth)))
        return out
    }
}
