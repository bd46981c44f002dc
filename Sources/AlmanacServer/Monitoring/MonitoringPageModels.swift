import AlmanacAlerts
import AlmanacCharts
import AlmanacConfig
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation

/// What the alerts page reads.
struct AlertsPage {
    struct Current {
        var rule, state, severity, labels, labelsJSON, value, since: String
        var ackedBy, silencedBy: String?
    }

    struct SilenceRow {
        var id: Int64
        var matchers, by, until, comment: String
    }

    struct Event {
        var when, rule, event, severity, labels: String
    }

    var current: [Current]
    var hasCurrent: Bool
    var silences: [SilenceRow]
    var hasSilences: Bool
    var history: [Event]
    /// The forms are for signed-in admins.
    var actor: String?
    var error: String?

    init(_ overview: AlertService.Overview, actor: String?, error: String?) {
        current = overview.alerts.map { view in
            let a = view.alert
            let labels = JSONValue.object(Dictionary(a.labels.map { ($0.name, JSONValue.string($0.value)) }) { x, _ in x })
            return Current(
                rule: a.rule, state: a.state.rawValue, severity: a.severity.rawValue, labels: Self.text(a.labels),
                labelsJSON: JSONWriter.string(labels), value: a.value.map { String($0) } ?? "", since: Self.time(a.firedAt ?? a.activeAt),
                ackedBy: view.acknowledgedBy, silencedBy: view.silencedBy.map { "#\($0)" })
        }
        hasCurrent = !current.isEmpty
        silences = overview.silences.map {
            SilenceRow(id: $0.id, matchers: $0.matchers, by: $0.createdBy, until: Self.time($0.endsAt), comment: $0.comment)
        }
        hasSilences = !silences.isEmpty
        history = overview.history.map { Event(when: Self.time($0.at), rule: $0.rule, event: $0.event, severity: $0.severity, labels: $0.labels) }
        self.actor = actor
        self.error = error
    }

    static func text(_ labels: [Label]) -> String { labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") }

    static func time(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

/// What the series list reads.
struct SeriesListPage {
    struct Row {
        var id: Int64
        var name, labels: String
    }

    var series: [Row]
    var count: Int
    var samples, rollups: Int64
    var payload, disk: String

    init(_ all: [StoredSeries], usage: StorageUsage) {
        series = all.prefix(2000).map { Row(id: $0.id, name: $0.name, labels: AlertsPage.text($0.labels)) }
        count = all.count
        samples = usage.rawSamples
        rollups = usage.rollupBuckets
        payload = String(format: "%.2f", usage.bytesPerSample)
        disk = String(format: "%.1f", usage.diskBytesPerSample)
    }
}

/// What a series page reads: its labels, the chart with the forecast band, and the summary.
struct SeriesPage {
    struct LabelView {
        var name, value: String
    }

    var name: String
    var labels: [LabelView]
    var chart: String
    var summary: String
    var id: Int64
    var samples: Int
    var threshold: Double?

    init(_ view: SeriesForecast, threshold: Double?, markers: [ChartMarker] = []) {
        name = view.series.name
        labels = view.series.labels.map { LabelView(name: $0.name, value: $0.value) }
        var chart = TimeChart(
            title: view.series.name, history: view.recent.map { TimeChart.Point(time: $0.timestamp, value: $0.value) },
            forecast: view.band.map { TimeChart.BandPoint(time: $0.time, low: $0.low, likely: $0.likely, high: $0.high) },
            threshold: threshold, crossing: view.crossing
        )
        chart.change = view.change
        chart.markers = markers
        chart.unit = ChartUnit.of(seriesName: view.series.name)
        self.chart = chart.svg()
        summary = view.summary
        id = view.series.id
        samples = view.samples.count
        self.threshold = threshold
    }
}
