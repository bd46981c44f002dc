import AlmanacAlerts
import AlmanacCharts
import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation
import HTTPTypes
import Hummingbird

/// The alerts page (what fires now, and what happened) and a series page with its forecast chart.
struct MonitoringPages: Sendable {
    let series: SQLSeriesStore
    let decisions: AlertDecisions
    let renderer: PageRenderer
    let maximumBodyBytes: Int
    var alerts: SQLAlertStore { decisions.store }
    var config: MonitoringConfig { decisions.config }

    func add(to groups: AccessGroups) {
        groups.open.get("/alerts") { _, context in try await alertsPage(actor: context.actor) }
        groups.forms.post("/alerts/ack") { request, context in
            try await act(request, context) { form, actor in
                let parsed: JSONValue
                do throws(JSONParser.Failure) {
                    parsed = try JSONParser.parse(Array((form["labels"] ?? "{}").utf8))
                } catch {
                    throw AlertDecisions.Problem.invalid(field: "labels", message: "must be a JSON object of label names to strings")
                }
                let labels = try SilenceRoutes.labels(parsed)
                try await decisions.acknowledge(rule: form["rule"] ?? "", labels: labels, comment: form["comment"] ?? "", actor: actor)
            }
        }
        groups.forms.post("/alerts/silence") { request, context in
            try await act(request, context) { form, actor in
                _ = try await decisions.silence(
                    matchers: form["matchers"] ?? "", until: form["duration"].map { .after($0) }, comment: form["comment"] ?? "", actor: actor)
            }
        }
        groups.open.get("/series") { _, context in
            let all = try await series.series()
            let rows: [[String: Any]] = all.prefix(2000).map { s in
                ["id": s.id, "name": s.name, "labels": s.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")]
            }
            let usage = try await series.usage()
            return renderer.page("series-list", title: "Series", actor: context.actor, context: [
                "series": rows, "count": all.count, "samples": usage.rawSamples, "rollups": usage.rollupBuckets,
                "payload": String(format: "%.2f", usage.bytesPerSample), "disk": String(format: "%.1f", usage.diskBytesPerSample),
            ])
        }
        groups.open.get("/series/:id") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { return Response(status: .badRequest) }
            let threshold = request.uri.queryParameters.get("threshold").flatMap(Double.init)
            return try await seriesPage(id, threshold: threshold, actor: context.actor)
        }
    }

    /// A form post from the alerts page (the forms group checked the admin and the site); a
    /// refused decision shows the page again with why.
    private func act(
        _ request: Request, _ context: AlmanacRequestContext, _ decide: ([String: String], String) async throws -> Void
    ) async throws -> Response {
        let actor = context.actor ?? ""
        do {
            try await decide(try await request.formFields(limit: maximumBodyBytes), actor)
        } catch let problem as AlertDecisions.Problem {
            return try await alertsPage(actor: actor, error: problem.description, status: .badRequest)
        } catch let problem as RequestProblem {
            return try await alertsPage(actor: actor, error: problem.field + ": " + problem.message, status: .badRequest)
        }
        return PageRenderer.redirect("/alerts")
    }

    private func alertsPage(actor: String?, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = AlertDecisions.now()
        let silences = try await alerts.silences(endingAfter: now)
        let acks = try await alerts.acknowledgements()
        let rules = Dictionary(config.current.rules.map { ($0.name, $0) }) { a, _ in a }
        let state = try await alerts.state()
        let current: [[String: Any]] = state.tracker.alerts.values.sorted { ($0.severity, $0.rule) > ($1.severity, $1.rule) }.map { a in
            let key = AlertTracker.key(a.rule, a.labels)
            let labels = JSONValue.object(Dictionary(a.labels.map { ($0.name, JSONValue.string($0.value)) }) { x, _ in x })
            var row: [String: Any] = [
                "rule": a.rule, "state": a.state.rawValue, "severity": a.severity.rawValue,
                "labels": a.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", "), "labelsJSON": JSONWriter.string(labels),
                "value": a.value.map { String($0) } ?? "", "since": Self.time(a.firedAt ?? a.activeAt),
            ]
            if let by = acks[key] { row["ackedBy"] = by }
            if let silence = Silence.silencing(a, among: silences, rules: rules, at: now) { row["silencedBy"] = "#\(silence.id)" }
            return row
        }
        let silenceRows: [[String: Any]] = silences.map { s in
            ["id": s.id, "matchers": s.matchers, "by": s.createdBy, "until": Self.time(s.endsAt), "comment": s.comment]
        }
        let history: [[String: Any]] = try await alerts.history(limit: 200).map { e in
            ["when": Self.time(e.at), "rule": e.rule, "event": e.event, "severity": e.severity, "labels": e.labels]
        }
        var context: [String: Any] = [
            "current": current, "hasCurrent": !current.isEmpty, "history": history, "silences": silenceRows, "hasSilences": !silenceRows.isEmpty,
        ]
        if let error { context["error"] = error }
        if let actor { context["actor"] = actor }  // the forms are for signed-in admins
        return renderer.page("alerts", title: "Alerts", actor: actor, context: context, status: status)
    }

    private func seriesPage(_ id: Int64, threshold: Double?, actor: String?) async throws -> Response {
        guard let stored = try await series.series().first(where: { $0.id == id }) else {
            return Response(status: .notFound)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let samples = try await series.history(seriesID: id, from: now - 30 * 86_400_000, to: now, steps: config.current.retention.rollups.map(\.step))
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
                let after = { (t: Int64?) in t.map { DurationText.span($0 - last.timestamp) } ?? "beyond the chart" }
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

    static func time(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

enum MonitoringTemplates {
    static let all: [String: String] = ["alerts": alerts, "series": series, "series-list": seriesList]

    static let alerts = """
        <h1>Alerts</h1>
        {{#error}}<p class="error" id="error">{{error}}</p>{{/error}}
        {{#hasCurrent}}<table id="current"><tr><th>Rule</th><th>State</th><th>Severity</th><th>Series</th><th>Value</th><th>Since</th><th>Who knows</th></tr>
        {{#current}}<tr class="{{state}}"><td>{{rule}}</td><td>{{state}}</td><td>{{severity}}</td><td><code>{{labels}}</code></td><td>{{value}}</td><td>{{since}}</td>
        <td>{{#ackedBy}}acknowledged by {{ackedBy}}{{/ackedBy}} {{#silencedBy}}silenced by {{silencedBy}}{{/silencedBy}}
        {{^ackedBy}}{{#actor}}<form class="inline ack" method="post" action="/alerts/ack"><input type="hidden" name="rule" value="{{rule}}"><input type="hidden" name="labels" value="{{labelsJSON}}"><input name="comment" placeholder="comment"><button>Acknowledge</button></form>{{/actor}}{{/ackedBy}}</td></tr>{{/current}}</table>{{/hasCurrent}}
        {{^hasCurrent}}<p id="quiet">Nothing is firing.</p>{{/hasCurrent}}
        <h2>Silences</h2>
        {{#hasSilences}}<table id="silences"><tr><th>#</th><th>Matchers</th><th>By</th><th>Until (UTC)</th><th>Why</th></tr>
        {{#silences}}<tr><td>{{id}}</td><td><code>{{matchers}}</code></td><td>{{by}}</td><td>{{until}}</td><td>{{comment}}</td></tr>{{/silences}}</table>{{/hasSilences}}
        {{^hasSilences}}<p>No silence is on.</p>{{/hasSilences}}
        {{#actor}}<form id="silence" method="post" action="/alerts/silence"><input name="matchers" placeholder='{alertname="DiskAlmostFull", server="off2"}' size="40">
        <input name="duration" placeholder="2h" size="6"><input name="comment" placeholder="why" size="30"><button>Silence</button></form>{{/actor}}
        <h2>History</h2><table id="history"><tr><th>When (UTC)</th><th>Rule</th><th>What</th><th>Severity</th><th>Series</th></tr>
        {{#history}}<tr><td>{{when}}</td><td>{{rule}}</td><td>{{event}}</td><td>{{severity}}</td><td><code>{{labels}}</code></td></tr>{{/history}}</table>
        """

    static let series = """
        <h1>{{name}}</h1>
        <p>{{#labels}}<span class="tag">{{name}}="{{value}}"</span>{{/labels}}</p>
        <figure id="chart">{{{chart}}}</figure>
        <p id="summary">{{summary}}</p>
        <form method="get" action="/series/{{id}}"><label>Threshold <input name="threshold" value="{{threshold}}"></label> <button>Forecast the crossing</button></form>
        <p>{{samples}} values in the last 30 days (raw samples, and rollup means where raw ones are gone).</p>
        """

    static let seriesList = """
        <h1>Series <small>({{count}})</small></h1>
        <p id="storage">{{samples}} raw samples at {{payload}} bytes each compressed, {{disk}} bytes each on disk with indexes and
        everything else; {{rollups}} rollup steps.</p>
        <table id="series"><tr><th>Name</th><th>Labels</th></tr>
        {{#series}}<tr><td><a href="/series/{{id}}">{{name}}</a></td><td><code>{{labels}}</code></td></tr>{{/series}}</table>
        """
}
