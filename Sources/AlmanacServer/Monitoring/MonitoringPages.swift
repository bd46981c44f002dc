import AlmanacAlerts
import AlmanacCharts
import AlmanacForecast
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Hummingbird

/// The alerts page (what fires now, and what happened) and a series page with its forecast chart.
struct MonitoringPages: Sendable {
    let series: SQLSeriesStore
    let alerts: SQLAlertStore
    let auth: Authenticator
    let renderer = PageRenderer(templates: MonitoringTemplates.all)

    func register(on router: Router<BasicRequestContext>) {
        router.get("/alerts") { request, _ in try await alertsPage(actor: auth.admin(request)) }
        router.get("/series") { request, _ in
            let all = try await series.series()
            let rows: [[String: Any]] = all.prefix(2000).map { s in
                ["id": s.id, "name": s.name, "labels": s.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")]
            }
            return renderer.page("series-list", title: "Series", actor: auth.admin(request), context: ["series": rows, "count": all.count])
        }
        router.get("/series/:id") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return Response(status: .badRequest) }
            let threshold = request.uri.queryParameters.get("threshold").flatMap(Double.init)
            return try await seriesPage(id, threshold: threshold, actor: auth.admin(request))
        }
    }

    private func alertsPage(actor: String?) async throws -> Response {
        var current: [[String: Any]] = []
        if let data = try await alerts.loadState(), let tracker = try? JSONDecoder().decode(AlertTracker.self, from: data) {
            current = tracker.alerts.values.sorted { ($0.severity, $0.rule) > ($1.severity, $1.rule) }.map { a in
                [
                    "rule": a.rule, "state": a.state.rawValue, "severity": a.severity.rawValue,
                    "labels": a.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", "),
                    "value": a.value.map { String($0) } ?? "", "since": Self.time(a.firedAt ?? a.activeAt),
                ]
            }
        }
        let history: [[String: Any]] = try await alerts.history(limit: 200).map { e in
            ["when": Self.time(e.at), "rule": e.rule, "event": e.event, "severity": e.severity, "labels": e.labels]
        }
        return renderer.page("alerts", title: "Alerts", actor: actor, context: [
            "current": current, "hasCurrent": !current.isEmpty, "history": history,
        ])
    }

    private func seriesPage(_ id: Int64, threshold: Double?, actor: String?) async throws -> Response {
        guard let stored = try await series.series().first(where: { $0.id == id }) else {
            return Response(status: .notFound)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let samples = try await series.samples(seriesID: id, from: now - 30 * 86_400_000, to: now)
        let shown = samples.filter { $0.timestamp >= now - 7 * 86_400_000 }
        var band: [TimeChart.BandPoint] = []
        var crossing: (earliest: Int64, likely: Int64?, latest: Int64?)?
        var summary = "Not enough data for a forecast yet."
        if let first = samples.first, let last = samples.last, let forecast = Forecaster.fit(samples, now: last.timestamp) {
            // Look as far ahead as the data reaches back (10 minutes to 30 days): further is guesswork.
            let horizon = min(max(last.timestamp - first.timestamp, 600_000), 30 * 86_400_000)
            band = stride(from: last.timestamp, through: last.timestamp + horizon, by: Int(horizon / 48)).map { t in
                let v = forecast.value(at: t)
                return TimeChart.BandPoint(time: t, low: v.low, likely: v.likely, high: v.high)
            }
            summary = "Trend \(String(format: "%+.4g", forecast.slope * 86_400)) per day (\(forecast.regime.rawValue))."
            if let threshold, let c = forecast.crossing(of: threshold, within: horizon, step: horizon / 500) {
                crossing = (c.earliest, c.likely, c.latest)
                let after = { (t: Int64?) in t.map { Self.duration($0 - last.timestamp) } ?? "beyond the chart" }
                summary += " Reaches \(threshold) in \(after(c.likely)) (earliest \(after(c.earliest)), latest \(after(c.latest)))."
            }
        }
        let chart = TimeChart(
            title: stored.name, history: shown.map { TimeChart.Point(time: $0.timestamp, value: $0.value) }, forecast: band,
            threshold: threshold, crossing: crossing)
        var context: [String: Any] = [
            "name": stored.name, "labels": stored.labels.map { ["name": $0.name, "value": $0.value] }, "chart": chart.svg(),
            "summary": summary, "id": id, "samples": samples.count,
        ]
        if let threshold { context["threshold"] = threshold }
        return renderer.page("series", title: stored.name, actor: actor, context: context)
    }

    /// `3.5 days`, `4.2 hours`, `12 minutes`.
    static func duration(_ ms: Int64) -> String {
        let minutes = Double(ms) / 60_000
        if minutes < 90 { return String(format: "%.0f minutes", minutes) }
        if minutes < 48 * 60 { return String(format: "%.1f hours", minutes / 60) }
        return String(format: "%.1f days", minutes / 1440)
    }

    static func time(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

enum MonitoringTemplates {
    static let all: [String: String] = ["alerts": alerts, "series": series, "series-list": seriesList]

    static let alerts = """
        <h1>Alerts</h1>
        {{#hasCurrent}}<table id="current"><tr><th>Rule</th><th>State</th><th>Severity</th><th>Series</th><th>Value</th><th>Since</th></tr>
        {{#current}}<tr class="{{state}}"><td>{{rule}}</td><td>{{state}}</td><td>{{severity}}</td><td><code>{{labels}}</code></td><td>{{value}}</td><td>{{since}}</td></tr>{{/current}}</table>{{/hasCurrent}}
        {{^hasCurrent}}<p id="quiet">Nothing is firing.</p>{{/hasCurrent}}
        <h2>History</h2><table id="history"><tr><th>When (UTC)</th><th>Rule</th><th>What</th><th>Severity</th><th>Series</th></tr>
        {{#history}}<tr><td>{{when}}</td><td>{{rule}}</td><td>{{event}}</td><td>{{severity}}</td><td><code>{{labels}}</code></td></tr>{{/history}}</table>
        """

    static let series = """
        <h1>{{name}}</h1>
        <p>{{#labels}}<span class="tag">{{name}}="{{value}}"</span>{{/labels}}</p>
        <figure id="chart">{{{chart}}}</figure>
        <p id="summary">{{summary}}</p>
        <form method="get" action="/series/{{id}}"><label>Threshold <input name="threshold" value="{{threshold}}"></label> <button>Forecast the crossing</button></form>
        <p>{{samples}} samples in the last 30 days.</p>
        """

    static let seriesList = """
        <h1>Series <small>({{count}})</small></h1>
        <table id="series"><tr><th>Name</th><th>Labels</th></tr>
        {{#series}}<tr><td><a href="/series/{{id}}">{{name}}</a></td><td><code>{{labels}}</code></td></tr>{{/series}}</table>
        """
}
