import AlmanacAlerts
import AlmanacMetrics
import AlmanacStorage
import AlmanacTrends

/// Reading stored series for pages and the API: the series, their samples, what storing them
/// costs, forecasts and trends. Routes read through here, never the store.
public struct SeriesService: Sendable {
    let store: SQLSeriesStore
    public let config: MonitoringConfig

    public init(store: SQLSeriesStore, config: MonitoringConfig) {
        self.store = store
        self.config = config
    }

    /// Every stored series, or those with one name.
    public func series(named name: String? = nil) async throws -> [StoredSeries] { try await store.series(named: name) }

    /// Raw samples of one series in `[from, to]` (ms).
    public func samples(seriesID: Int64, from: Int64, to: Int64) async throws -> [Sample] {
        try await store.samples(seriesID: seriesID, from: from, to: to)
    }

    /// What the store holds and what a sample costs on disk.
    public func usage() async throws -> StorageUsage { try await store.usage() }

    /// The series `id` with its forecast and, given a threshold, its crossing; nil when there is none.
    public func forecast(_ id: Int64, threshold: Double?, now: Int64) async throws -> SeriesForecast? {
        try await SeriesForecast.load(id, threshold: threshold, store: store, config: config, now: now)
    }

    /// The series a selector picks from the embedded store, raw samples only.
    public func select(_ selector: Selector, from: Int64, to: Int64) async throws -> [SeriesData] {
        try await StoredSeriesSource(store: store, steps: []).select(selector, from: from, to: to)
    }

    /// The trends the monitoring files follow, read from where they say series live.
    public var trends: TrendCollector { config.current.trendCollector(store: store) }
}
