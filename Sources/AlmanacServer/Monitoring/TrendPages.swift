import AlmanacAlerts
import AlmanacCharts
import AlmanacConfig
import AlmanacRuntime
import AlmanacTrends
import Foundation
import Hummingbird

/// The trends page and the thresholds page, with their JSON twins under `/api/v1/`.
struct TrendPages: Sendable {
    let series: SeriesService
    var config: MonitoringConfig { series.config }
    var trends: TrendCollector { series.trends }
    var rules: [AlertRule] { config.current.rules }
    let renderer: PageRenderer
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]
    let clock: WallClock
    static let templates = ["trends": trendsTemplate, "thresholds": thresholdsTemplate]

    func add(to groups: AccessGroups) {
        groups.viewers.get("/trends") { _, context in
            let report = try await trends.report(now: clock.milliseconds())
            let shown = report.trends.prefix(50)
            let from = shown.compactMap { $0.history.first?.timestamp }.min() ?? report.generatedAt
            let markers = try await changes(from, report.generatedAt)
            let page = TrendsPage(
                table: report.table.html(id: "trends"), count: report.trends.count,
                charts: shown.map { .init(svg: report.chart($0, markers: markers)) })
            return renderer.page("trends", title: "Trends", actor: context.actor, context: page)
        }
        groups.viewers.get("/api/v1/trends") { _, _ in
            try JSONResponse.encode(TrendList(trends: try await trends.report(now: clock.milliseconds()).records))
        }
        groups.viewers.get("/thresholds") { _, context in
            let sheet = ThresholdSheet(rules: rules)
            let page = ThresholdsPage(table: sheet.table.html(id: "thresholds"), count: sheet.rules.count, error: config.error)
            return renderer.page("thresholds", title: "Thresholds", actor: context.actor, context: page)
        }
        groups.viewers.get("/api/v1/monitoring/status") { _, _ in
            let files = config.current
            return try JSONResponse.encode(
                MonitoringStatus(
                    loadedAt: Int64(config.loadedAt.timeIntervalSince1970 * 1000), error: config.error, targets: files.targets.count,
                    rules: files.rules.count, receivers: files.receivers.count, source: files.source?.url ?? "local"))
        }
        groups.viewers.get("/api/v1/thresholds") { _, _ in
            try JSONResponse.encode(ThresholdList(thresholds: ThresholdSheet(rules: rules).records))
        }
    }

    static let trendsTemplate = """
        <h1>Trends <small>({{count}} series)</small></h1>
        <p>Growth of every series a rule watches or <code>monitoring/trends.yaml</code> names, fastest first: those heading for
        their level soonest, then by growth relative to their size. <a href="/api/v1/trends">JSON</a> ·
        <code>almanac report trends --format markdown</code></p>
        {{{table}}}
        {{#charts}}<figure class="trend">{{{svg}}}</figure>{{/charts}}
        """

    static let thresholdsTemplate = """
        <h1>Thresholds <small>({{count}} rules)</small></h1>
        {{#error}}<p class="error" id="reload-error">The monitoring files have an error; the rules below keep running until it is fixed:<br><code>{{error}}</code></p>{{/error}}
        <p>Every alert rule with its levels and the service it guards, from <code>monitoring/rules/</code>.
        <a href="/api/v1/thresholds">JSON</a> · <code>almanac report thresholds --format markdown</code></p>
        {{{table}}}
        """
}

/// What the trends page reads.
struct TrendsPage {
    struct Chart {
        var svg: String
    }

    var table: String
    var count: Int
    var charts: [Chart]
}

/// What the thresholds page reads.
struct ThresholdsPage {
    var table: String
    var count: Int
    var error: String?
}

struct MonitoringStatus: Encodable {
    var loadedAt: Int64
    @AlwaysSent var error: String?
    var targets: Int
    var rules: Int
    var receivers: Int
    var source: String
}

struct TrendList: Encodable { var trends: [TrendReport.Record] }
struct ThresholdList: Encodable { var thresholds: [ThresholdSheet.Record] }
