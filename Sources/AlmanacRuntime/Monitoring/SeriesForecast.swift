import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import AlmanacReporting
import AlmanacStorage
import Foundation

/// A stored series with its recent history and, where the data allows, its forecast: the band
/// ahead and when it crosses a threshold. What the series page draws.
public struct SeriesForecast: Sendable {
    public struct BandPoint: Sendable {
        public var time: Int64
        public var low, likely, high: Double
    }

    public var series: StoredSeries
    /// The last 30 days (raw samples, and rollup means where raw ones are gone).
    public var samples: [Sample]
    /// The last 7 days, as the chart shows them.
    public var recent: [Sample]
    public var band: [BandPoint]
    public var crossing: (earliest: Int64, likely: Int64?, latest: Int64?)?
    public var summary: String
    /// Where growth changed pace, for the chart's marker.
    public var change: Int64?

    /// The series `id` (nil when there is none) with its forecast and, given a threshold, its crossing.
    public static func load(
        _ id: Int64, threshold: Double?, store: SQLSeriesStore, config: MonitoringConfig, now: Int64
    ) async throws -> SeriesForecast? {
        guard let stored = try await store.series().first(where: { $0.id == id }) else { return nil }
        let samples = try await store.history(seriesID: id, from: now - 30 * 86_400_000, to: now, steps: config.current.retention.rollups.map(\.step))
        var view = SeriesForecast(
            series: stored, samples: samples, recent: samples.filter { $0.timestamp >= now - 7 * 86_400_000 }, band: [], crossing: nil,
            summary: "Not enough data for a forecast yet.")
        guard let first = samples.first, let last = samples.last, let forecast = Forecaster.fit(samples, now: last.timestamp) else { return view }
        // Look as far ahead as the data reaches back (10 minutes to 30 days): further is guesswork.
        let horizon = min(max(last.timestamp - first.timestamp, 600_000), 30 * 86_400_000)
        view.band = stride(from: last.timestamp, through: last.timestamp + horizon, by: Int(horizon / 48)).map { t in
            let v = forecast.value(at: t)
            return BandPoint(time: t, low: v.low, likely: v.likely, high: v.high)
        }
        let since = forecast.regime == .steady ? "" : ", since \(ReportFormat.date(forecast.regimeStart))"
        view.summary = "Trend \(String(format: "%+.4g", forecast.growthPerDay)) per day (\(forecast.model)\(since))."
        if let change = forecast.change {
            view.change = change.at
            // The chart reaches back to a day before the change, so both paces are seen.
            view.recent = samples.filter { $0.timestamp >= min(last.timestamp - 7 * 86_400_000, change.at - 86_400_000) }
            view.summary +=
                " Growth changed on \(ReportFormat.date(change.at)), from \(String(format: "%+.4g", change.before * 86_400))/day"
                + " to \(String(format: "%+.4g", change.after * 86_400))/day."
        }
        if let error = forecast.backtestError { view.summary += " Back-test error \(String(format: "%.3g", error))." }
        if threshold != nil, forecast.reach == 0 {
            view.summary +=
                " \(DurationText.span(forecast.observed)) of data: no crossing is projected from under "
                + "\(DurationText.span(Forecaster.minimumHistory))."
        }
        if let threshold, let c = forecast.crossing(of: threshold, within: horizon, step: max(horizon / 500, 1)) {
            view.crossing = (c.earliest, c.likely, c.latest)
            let after = { (t: Int64?) in t.map { DurationText.span($0 - last.timestamp) } ?? "beyond the chart" }
            view.summary += " Reaches \(threshold) in \(after(c.likely)) (earliest \(after(c.earliest)), latest \(after(c.latest)))."
        }
        return view
    }
}
