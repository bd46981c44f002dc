import AlmanacMetrics
import AlmanacStorage
import AlmanacTrends
import Foundation

extension MonitoringFiles {
    /// The trends these files follow, read from where they say series live.
    public func trendCollector(store: SQLSeriesStore) -> TrendCollector { TrendCollector(source: seriesSource(store: store), selections: trends) }
}

/// Gathers the samples of every followed series and fits their trends: the I/O half of the
/// trends report, shared by the server's pages and `almanac report trends`.
public struct TrendCollector: Sendable {
    let source: any SeriesSource
    let selections: [TrendSelection]
    /// How far back trends look.
    public var lookback: Int64 = 90 * 86_400_000

    public init(source: any SeriesSource, selections: [TrendSelection]) {
        self.source = source
        self.selections = selections
    }

    public func report(now: Int64) async throws -> TrendReport {
        var trends: [Trend] = []
        var seen: Set<[Label]> = []
        // A series watched by several rules is shown once, with the first rule's level.
        for selection in selections {
            for series in try await source.select(selection.selector, from: now - lookback, to: now)
            where seen.insert([Label("__name__", series.name)] + series.labels).inserted {
                if let trend = Trend.fit(selection.subject(name: series.name, labels: series.labels), samples: series.samples, now: now) {
                    trends.append(trend)
                }
            }
        }
        return TrendReport(trends: trends, generatedAt: now)
    }
}
