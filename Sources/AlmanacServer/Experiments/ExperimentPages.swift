import AlmanacCharts
import AlmanacExperiments
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// `/experiments` (each experiment, who is in, whether its split holds) and
/// `/experiments/KEY`: the split's check first, then each metric's results with its lift over
/// time, and the decisions taken.
struct ExperimentPages: Sendable {
    let service: ExperimentService
    let renderer: PageRenderer

    struct ListPage {
        struct Row {
            var link: String
            var flag: String
            var variants: String
            var users: Int
            var excluded: Int
            var split: String
            var broken: Bool
        }
        var rows: [Row]
    }

    struct DetailPage {
        struct Metric {
            var name: String
            var kind: String
            var guardrail: Bool
            var problem: String?
            var table: String?
            var charts: [String]
        }
        struct Decision {
            var when: String
            var who: String
            var what: String
            var why: String
        }
        var flag: String
        var control: String
        var srm: String
        var srmFailed: Bool
        var users: [ExperimentResults.Group]
        var excluded: [ExperimentResults.Group]
        var hasExcluded: Bool
        var started: String
        var planned: String?
        var metrics: [Metric]
        var decisions: [Decision]
    }

    func add(to groups: AccessGroups) {
        groups.viewers.get("/experiments") { _, context in
            let rows = try await service.summaries().map { flag, spec, split in
                ListPage.Row(
                    link: "/experiments/" + HTML.segment(flag.key), flag: flag.key, variants: spec.variants.joined(separator: ", "),
                    users: split.usersInAnalysis, excluded: split.usersLeftOut,
                    split: split.srmFailed ? "broken (p = \(Self.figure(split.srmPValue)))" : "as planned", broken: split.srmFailed)
            }
            return renderer.page("experiments", title: "Experiments", actor: context.actor, context: ListPage(rows: rows))
        }
        groups.viewers.get("/experiments/:key") { _, context in
            let key = try context.parameters.decoded("key")
            guard let results = try await service.results(key) else { throw EdgeProblem.notFound("no experiment on flag '\(key)'") }
            let decisions = try await service.decisions(key).reversed().map {
                DetailPage.Decision(when: ReportFormat.moment($0.at, seconds: false), who: $0.actor, what: $0.after ?? "", why: $0.comment)
            }
            return renderer.page("experiment", title: "Experiment \(key)", actor: context.actor, context: Self.detail(results, decisions: decisions))
        }
        groups.writers(FlagService.teamResolver(service.flags)).post("/experiments/:key/decision") { request, context in
            let key = try context.parameters.decoded("key")
            let form = try await request.formFields(limit: 64 << 10)
            do {
                try await service.decide(key, decision: form["decision"] ?? "", actor: context.actor ?? "", comment: form["comment"] ?? "")
            } catch let problem as ExperimentService.Problem {
                return renderer.message("Not recorded", problem.description, actor: context.actor, status: .badRequest)
            }
            return PageRenderer.redirect("/experiments/" + HTML.segment(key))
        }
    }

    static func detail(_ r: ExperimentResults, decisions: [DetailPage.Decision]) -> DetailPage {
        let metrics = r.metrics.map { m in
            var charts: [String] = []
            for variant in r.variants.dropFirst() {
                let points = m.timeline.filter { $0.variant == variant }
                guard points.count >= 2 else { continue }
                var chart = TimeChart(
                    title: "\(m.name): lift of \(variant) over \(r.control), with its interval (valid at every look)", history: [],
                    forecast: points.map { TimeChart.BandPoint(time: $0.at, low: $0.lower, likely: $0.expected, high: $0.upper) }, threshold: 0)
                chart.unit = .ratio
                chart.bandLabels = ("lift", "95% interval, valid at every look")
                charts.append(chart.svg())
            }
            return DetailPage.Metric(
                name: m.name, kind: m.kind + (m.lowerIsBetter ? ", lower is better" : ""), guardrail: m.guardrail, problem: m.problem,
                table: m.analysis?.table.html(id: "metric-" + m.name), charts: charts)
        }
        let planned = [r.plannedSampleSize.map { "\($0) users per variant" }, r.plannedDays.map { "\($0) days" }].compactMap { $0 }
        return DetailPage(
            flag: r.flag, control: r.control, srm: Self.figure(r.srmPValue), srmFailed: r.srmFailed, users: r.users, excluded: r.excluded,
            hasExcluded: !r.excluded.isEmpty,
            started: r.startedAt.map { ReportFormat.moment($0, seconds: false) } ?? "no exposure yet",
            planned: planned.isEmpty ? nil : planned.joined(separator: ", "), metrics: metrics, decisions: decisions)
    }

    static func figure(_ value: Double) -> String { String(format: "%.3g", value) }

    static let templates = [
        "experiments": """
        <h1>Experiments</h1>
        <p>Flags with an <code>experiment:</code> block. Users are the targeting keys in the analysis; \
        pinned and opted-out users are counted apart.</p>
        <table id="experiments"><tr><th>Flag</th><th>Variants</th><th>Users</th><th>Left out</th><th>Split</th></tr>
        {{#rows}}<tr><td><a href="{{link}}">{{flag}}</a></td><td>{{variants}}</td><td>{{users}}</td><td>{{excluded}}</td>
        <td{{#broken}} class="bad"{{/broken}}>{{split}}</td></tr>{{/rows}}</table>
        {{^rows}}<p>No flag runs an experiment yet.</p>{{/rows}}
        """,
        "experiment": """
        <h1>Experiment {{flag}}</h1>
        {{#srmFailed}}<p class="errors" id="srm">Sample ratio mismatch: p = {{srm}}. The users did not split as planned, so the \
        results below cannot be trusted; look for a bug in the assignment or the exposure logging.</p>{{/srmFailed}}
        {{^srmFailed}}<p id="srm">Split as planned (sample ratio check p = {{srm}}).</p>{{/srmFailed}}
        <p>Control: <strong>{{control}}</strong>. First exposure: {{started}}.{{#planned}} Planned: {{planned}}.{{/planned}}</p>
        <table id="users"><tr><th>Variant</th><th>Users in the analysis</th></tr>
        {{#users}}<tr><td>{{name}}</td><td>{{users}}</td></tr>{{/users}}</table>
        {{#hasExcluded}}<h2>Left out</h2><table id="excluded"><tr><th>Why</th><th>Users</th></tr>
        {{#excluded}}<tr><td>{{name}}</td><td>{{users}}</td></tr>{{/excluded}}</table>{{/hasExcluded}}
        {{#metrics}}<section class="metric"><h2>{{name}}{{#guardrail}} (guardrail){{/guardrail}}</h2><p>{{kind}}</p>
        {{#problem}}<p class="stale">{{problem}}</p>{{/problem}}{{{table}}}
        {{#charts}}<figure>{{{.}}}</figure>{{/charts}}</section>{{/metrics}}
        <p>The lift's interval and the sequential p-value stay valid however often this page is read; the fixed-horizon \
        p-value only at the planned size.</p>
        <h2>Decision</h2>
        <form method="post" action="/experiments/{{flag}}/decision"><label>Decision <select name="decision">
        <option value="keep-running">keep running</option><option value="ship">ship</option><option value="stop">stop</option></select></label>
        <label>Why <input name="comment" required maxlength="2000"></label> <button>Record</button></form>
        <table id="decisions"><tr><th>When</th><th>Who</th><th>Decision</th><th>Why</th></tr>
        {{#decisions}}<tr><td>{{when}}</td><td>{{who}}</td><td>{{what}}</td><td>{{why}}</td></tr>{{/decisions}}</table>
        """,
    ]
}
