import AlmanacAlerts
import AlmanacCharts
import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import AlmanacRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// The alerts page (what fires now, and what happened) and a series page with its forecast chart.
struct MonitoringPages: Sendable {
    let series: SeriesService
    let alertService: AlertService
    let renderer: PageRenderer
    let maximumBodyBytes: Int
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]
    var config: MonitoringConfig { alertService.config }
    let clock: WallClock

    func add(to groups: AccessGroups) {
        groups.viewers.get("/alerts") { _, context in try await alertsPage(actor: context.actor) }
        groups.writers(.operate(team: nil)).post("/alerts/ack") { request, context in
            try await act(request, context) { form, actor in
                let text = Data((form["labels"] ?? "{}").utf8)
                guard let labels = try? JSONDecoder().decode([String: String].self, from: text).map({ Label($0.key, $0.value) }).sorted() else {
                    throw AlertService.Problem.invalid(field: "labels", message: "must be a JSON object of label names to strings")
                }
                try await alertService.acknowledge(rule: form["rule"] ?? "", labels: labels, comment: form["comment"] ?? "", actor: actor)
            }
        }
        groups.writers(.operate(team: nil)).post("/alerts/silence") { request, context in
            try await act(request, context) { form, actor in
                _ = try await alertService.silence(
                    matchers: form["matchers"] ?? "", until: form["duration"].map { .after($0) }, comment: form["comment"] ?? "", actor: actor)
            }
        }
        groups.viewers.get("/series") { _, context in
            let page = SeriesListPage(try await series.series(), usage: try await series.usage())
            return renderer.page("series-list", title: "Series", actor: context.actor, context: page)
        }
        groups.viewers.get("/series/:id") { request, context in
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
        } catch let problem as AlertService.Problem {
            return try await alertsPage(actor: actor, error: problem.description, status: problem.status)
        }
        return PageRenderer.redirect("/alerts")
    }

    private func alertsPage(actor: String?, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let page = AlertsPage(try await alertService.overview(), actor: actor, error: error)
        return renderer.page("alerts", title: "Alerts", actor: actor, context: page, status: status)
    }

    private func seriesPage(_ id: Int64, threshold: Double?, actor: String?) async throws -> Response {
        let now = clock.milliseconds()
        guard let view = try await series.forecast(id, threshold: threshold, now: now) else {
            return Response(status: .notFound)
        }
        let markers = try await changes(view.recent.first?.timestamp ?? now, now)
        return renderer.page("series", title: view.series.name, actor: actor, context: SeriesPage(view, threshold: threshold, markers: markers))
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
