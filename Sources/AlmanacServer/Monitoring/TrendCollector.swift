import AlmanacMetrics
import AlmanacStorage
import AlmanacTrends
import Foundation

/// Gathers the samples of every followed series and fits their trends: the I/O half of the
/// trends report, shared by the server's pages and `almanac report trends`.
public struct TrendCollector: Sendable {
    let series: SQLSeriesStore
    let selections: [TrendSelection]
    /// Rollup steps to read where raw samples are gone.
    let steps: [Int64]
    /// How far back trends look.
    public var lookback: Int64 = 90 * 86_400_000

    public init(series: SQLSeriesStore, selections: [TrendSelection], steps: [Int64]) {
        self.series = series
        self.selections = selections
        self.steps = steps
    }

    public func report(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) async throws -> TrendReport {
        var trends: [Trend] = []
        var seen: Set<Int64> = []
        let all = try await series.series()
        // A series watched by several rules is shown once, with the first rule's level.
        for selection in selections {
            for stored in all where selection.selector.matches(name: stored.name, labels: stored.labels) && seen.insert(stored.id).inserted {
                let samples = try await series.history(seriesID: stored.id, from: now - lookback, to: now, steps: steps)
                if let trend = Trend.fit(selection.subject(name: stored.name, labels: stored.labels), samples: samples, now: now) {
                    trends.append(trend)
                }
            }
        }
        return TrendReport(trends: trends, generatedAt: now)
    }
}
