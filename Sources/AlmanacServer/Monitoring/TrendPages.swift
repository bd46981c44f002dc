import AlmanacAlerts
import AlmanacTrends
import Foundation
import Hummingbird

/// The trends page and the thresholds page, with their JSON twins under `/api/v1/`.
struct TrendPages: Sendable {
    let trends: TrendCollector
    let rules: [AlertRule]
    let auth: Authenticator
    let renderer = PageRenderer(templates: ["trends": trendsTemplate, "thresholds": thresholdsTemplate])

    func register(on router: Router<BasicRequestContext>) {
        router.get("/trends") { request, _ in
            let report = try await trends.report()
            let charts = report.trends.prefix(50).map { ["svg": report.chart($0)] }
            return renderer.page("trends", title: "Trends", actor: auth.admin(request), context: [
                "table": report.table.html(id: "trends"), "count": report.trends.count, "charts": charts,
            ])
        }
        router.get("/api/v1/trends") { _, _ in
            try JSONResponse.encode(["trends": try await trends.report().records])
        }
        router.get("/thresholds") { request, _ in
            let sheet = ThresholdSheet(rules: rules)
            return renderer.page("thresholds", title: "Thresholds", actor: auth.admin(request), context: [
                "table": sheet.table.html(id: "thresholds"), "count": sheet.rules.count,
            ])
        }
        router.get("/api/v1/thresholds") { _, _ in
            try JSONResponse.encode(["thresholds": ThresholdSheet(rules: rules).records])
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
        <p>Every alert rule with its levels and the service it guards, from <code>monitoring/rules/</code>.
        <a href="/api/v1/thresholds">JSON</a> · <code>almanac report thresholds --format markdown</code></p>
        {{{table}}}
        """
}
