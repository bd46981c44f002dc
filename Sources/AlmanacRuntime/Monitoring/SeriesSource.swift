import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import AlmanacStorage
import AsyncHTTPClient
import Foundation
import NIOCore

/// Where rules and trends read samples: the embedded store by default, or a Prometheus the
/// team already runs (`monitoring/source.yaml`).
public protocol SeriesSource: Sendable {
    /// The series `selector` picks, with their samples in `[from, to]` (ms).
    func select(_ selector: Selector, from: Int64, to: Int64) async throws -> [SeriesData]
    /// The latest time up to `now` whose samples are all in: reads that must agree with each
    /// other (a ratio's good and total) end there.
    func settled(before now: Int64) -> Int64
}

extension SeriesSource {
    public func settled(before now: Int64) -> Int64 { now }
}

/// The embedded store: raw samples, and rollup means where raw ones are gone.
public struct StoredSeriesSource: SeriesSource {
    let store: SQLSeriesStore
    let steps: [Int64]

    public init(store: SQLSeriesStore, steps: [Int64]) {
        self.store = store
        self.steps = steps
    }

    public func settled(before now: Int64) -> Int64 { store.settled(before: now) }

    public func select(_ selector: Selector, from: Int64, to: Int64) async throws -> [SeriesData] {
        var out: [SeriesData] = []
        for stored in try await store.series(named: selector.name) where selector.matches(name: stored.name, labels: stored.labels) {
            out.append(
                SeriesData(
                    name: stored.name, labels: stored.labels, samples: try await store.history(seriesID: stored.id, from: from, to: to, steps: steps))
            )
        }
        return out
    }
}

/// A Prometheus server read over its HTTP API.
public struct PrometheusSeriesSource: SeriesSource {
    let source: PrometheusSource
    let client: HTTPClient

    public init(source: PrometheusSource, client: HTTPClient = .shared) {
        self.source = source
        self.client = client
    }

    /// Largest answer read; a selector matching far too much is refused rather than buffered.
    static let maximumBytes = 64 * 1024 * 1024

    public func select(_ selector: Selector, from: Int64, to: Int64) async throws -> [SeriesData] {
        let (path, parameters) = source.query(selector: selector.description, from: from, to: to)
        let query = parameters.map { "\($0.0)=\(URLEncoding.component($0.1))" }.joined(separator: "&")
        let url = source.url + path + "?" + query
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .milliseconds(source.timeout))
        let body = try await response.body.collect(upTo: Self.maximumBytes)
        let series = try QueryResponse.parse(Array(body.readableBytesView))
        // Functions such as avg_over_time drop the metric name; the selector knows it.
        return series.map { SeriesData(name: $0.name.isEmpty ? selector.name ?? "" : $0.name, labels: $0.labels, samples: $0.samples) }
            .filter { selector.matches(name: $0.name, labels: $0.labels) }
    }
}
