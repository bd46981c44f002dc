import AlmanacCapacity
import AlmanacCharts
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// The capacity pages: every load test with its last run, one test's runs and how they moved
/// across revisions, and one run with its latency over time.
struct CapacityPages: Sendable {
    let tests: ReloadingFiles<LoadTestFiles>
    let runs: LoadTestService
    let renderer: PageRenderer
    static let templates = ["capacity": listTemplate, "loadtest": testTemplate, "loadrun": runTemplate]

    func add(to groups: AccessGroups) {
        groups.viewers.get("/capacity") { _, context in
            let latest = try await runs.runs(limit: 500)
            let rows = tests.current.tests.values.sorted { $0.name < $1.name }.map { test -> [String] in
                let last = latest.first { $0.run.test == test.name }
                return [
                    "<a href=\"/capacity/loadtests/\(HTML.escape(test.name))\">\(HTML.escape(test.name))</a>", HTML.escape(test.service),
                    HTML.escape(LoadRun.describe(test.model)), HTML.escape(test.thresholds.map(\.text).joined(separator: ", ")),
                    last.map { "<a href=\"/capacity/runs/\($0.id)\">\(moment($0.run.startedAt))</a> \($0.run.outcome)" } ?? "never run",
                    last.map { LoadReport.ms($0.run.summary.response.p99) } ?? "",
                    last?.run.usage?.cpuMillisecondsPerRequest.map { ReportFormat.number($0) } ?? "",
                ]
            }
            let page = ListPage(
                table: Self.rawTable(
                    ["Load test", "Service", "Pace", "Thresholds", "Last run", "p99 (ms)", "CPU ms per request"], rows, id: "loadtests"),
                count: rows.count, error: tests.error)
            return renderer.page("capacity", title: "Capacity", actor: context.actor, context: page)
        }
        groups.viewers.get("/capacity/loadtests/:name") { _, context in
            let name = try context.parameters.decoded("name")
            guard let test = tests.current.tests[name] else { throw HTTPError(.notFound, message: "no load test named \(name)") }
            let found = try await runs.runs(test: name)
            return renderer.page("loadtest", title: "Load test \(name)", actor: context.actor, context: TestPage(test: test, runs: found))
        }
        groups.viewers.get("/capacity/runs/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.badRequest, message: "id must be a number") }
            let run = try await runs.run(id)
            return renderer.page("loadrun", title: "Run \(id) of \(run.test)", actor: context.actor, context: RunPage(id: id, run: run))
        }
    }

    /// A table whose cells are already HTML (links).
    static func rawTable(_ headers: [String], _ rows: [[String]], id: String) -> String {
        "<table id=\"\(id)\"><tr>" + headers.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    struct ListPage {
        var table: String
        var count: Int
        var error: String?
    }

    struct TestPage {
        var name, service, target, model, file, thresholds, runsTable, chart: String
        var regressions: [String]
        var empty: Bool

        init(test: LoadTest, runs: [(id: Int64, run: LoadRun)]) {
            name = test.name
            service = test.service
            target = test.target
            model = LoadRun.describe(test.model)
            file = test.file
            thresholds = test.thresholds.map(\.text).joined(separator: ", ")
            empty = runs.isEmpty
            runsTable = CapacityPages.rawTable(
                ["Run", "When", "Kind", "Revision", "Outcome", "Answered/s", "p50 (ms)", "p99 (ms)", "Errors", "Sustainable/s"],
                runs.map { id, run in
                    [
                        "<a href=\"/capacity/runs/\(id)\">\(id)</a>", moment(run.startedAt), run.kind,
                        HTML.escape(run.revision.map { String($0.prefix(7)) } ?? "unknown"), run.outcome, ReportFormat.number(run.summary.rate),
                        LoadReport.ms(run.summary.response.p50), LoadReport.ms(run.summary.response.p99), LoadReport.percent(run.summary.errorRate),
                        run.sustainableRate.map(ReportFormat.number) ?? "",
                    ]
                }, id: "runs")
            let comparison = RunComparison(runs: runs.reversed())
            regressions = comparison.regressions
            let labels = comparison.entries.map { String($0.revision.prefix(7)) }
            let p99 = comparison.entries.enumerated().compactMap { i, e in e.p99.map { (x: Double(i), y: $0) } }
            let rates = comparison.entries.enumerated().compactMap { i, e in e.sustainableRate.map { (x: Double(i), y: $0) } }
            var lines = [LineChart.Line(name: "p99 (ms)", color: "#c0392b", points: p99)]
            if !rates.isEmpty { lines.append(.init(name: "sustainable/s", color: "#3a7bd5", points: rates)) }
            chart = LineChart(
                title: "Across revisions: p99 and the highest sustainable rate", lines: lines, unit: "", logarithmic: true,
                xTicks: labels.indices.map(Double.init), xLabel: { i in labels.indices.contains(Int(i)) ? labels[Int(i)] : "" }
            ).svg()
        }
    }

    struct RunPage {
        var id: Int64
        var test, service, when, model, target, outcome, chart, throughput, counts, spectrum: String
        var aborted: String?
        var thresholds, usage, saturation, saturationChart, revisions: String?

        init(id: Int64, run: LoadRun) {
            self.id = id
            test = run.test
            service = run.service
            when = moment(run.startedAt)
            model = run.model
            target = run.target
            outcome = run.outcome
            aborted = run.aborted
            let seconds = run.intervals.map { Double($0.second) }
            func line(_ name: String, _ color: String, _ value: KeyPath<LoadInterval, Double>) -> LineChart.Line {
                .init(name: name, color: color, points: run.intervals.map { (x: Double($0.second), y: $0[keyPath: value]) })
            }
            chart = LineChart(
                title: "Response time each second (from the intended start)",
                lines: [line("p50", "#27ae60", \.p50), line("p90", "#3a7bd5", \.p90), line("p99", "#c0392b", \.p99), line("max", "#23313f", \.max)],
                unit: "ms", logarithmic: true, xLabel: { "\(Int($0)) s" }
            ).svg()
            throughput = LineChart(
                title: "Responses and errors each second",
                lines: [
                    .init(name: "responses", color: "#3a7bd5", points: run.intervals.map { (x: Double($0.second), y: Double($0.completed)) }),
                    .init(name: "errors", color: "#c0392b", points: run.intervals.map { (x: Double($0.second), y: Double($0.errors)) }),
                ], unit: "/s", xTicks: seconds.isEmpty ? nil : nil, xLabel: { "\(Int($0)) s" }
            ).svg()
            counts = LoadReport.counts(run.summary).html(id: "counts")
            spectrum = LoadReport.spectrum(run.summary).html(id: "spectrum")
            thresholds = run.thresholds.isEmpty ? nil : LoadReport.thresholds(run.thresholds).html(id: "thresholds")
            usage = run.usage.map { LoadReport.usage($0).html(id: "usage") }
            saturation = run.steps.map { LoadReport.saturation($0).html(id: "saturation") }
            saturationChart = run.steps.map { steps in
                LineChart(
                    title: "Latency by asked rate",
                    lines: [
                        .init(name: "p50", color: "#27ae60", points: steps.map { (x: $0.rate, y: $0.p50) }),
                        .init(name: "p99", color: "#c0392b", points: steps.map { (x: $0.rate, y: $0.p99) }),
                    ], unit: "ms", logarithmic: true, xTicks: steps.map(\.rate), xLabel: { "\(Int($0))/s" }
                ).svg()
            }
            revisions = run.revisions.isEmpty ? nil : run.revisions.map { "\($0.host) \($0.revision.prefix(7))" }.joined(separator: ", ")
        }
    }

    static let listTemplate = """
        <h1>Capacity <small>({{count}} load tests)</small></h1>
        {{#error}}<p class="error">The load test files have a problem; the last good set is shown: {{error}}</p>{{/error}}
        <p>Load tests from <code>capacity/loadtests/</code>. Run one with <code>almanac load run NAME</code>, find its highest
        sustainable rate with <code>almanac load saturate NAME</code>. <a href="/api/v1/loadtests">JSON</a></p>
        {{{table}}}
        """

    static let testTemplate = """
        <h1>Load test {{name}}</h1>
        <p>Service <a href="/catalog/component/{{service}}">{{service}}</a> · target <code>{{target}}</code> · {{model}} ·
        thresholds: {{thresholds}}{{^thresholds}}none{{/thresholds}} · <code>{{file}}</code></p>
        {{#regressions}}<p class="regression">{{.}}</p>{{/regressions}}
        {{^empty}}<figure class="comparison">{{{chart}}}</figure>{{/empty}}
        {{#empty}}<p>Never run: <code>almanac load run {{name}}</code>.</p>{{/empty}}
        {{{runsTable}}}
        """

    static let runTemplate = """
        <h1>Run {{id}} of <a href="/capacity/loadtests/{{test}}">{{test}}</a> <small>{{outcome}}</small></h1>
        {{#aborted}}<p class="error">Stopped early, results are partial: {{aborted}}</p>{{/aborted}}
        <p>{{when}} · {{model}} · target <code>{{target}}</code>{{#revisions}} · revisions: {{revisions}}{{/revisions}}</p>
        <figure class="latency">{{{chart}}}</figure>
        <figure class="throughput">{{{throughput}}}</figure>
        {{#thresholds}}<h2>Thresholds</h2>{{{thresholds}}}{{/thresholds}}
        {{#saturation}}<h2>Saturation search</h2>{{{saturation}}}{{/saturation}}
        {{#saturationChart}}<figure class="saturation">{{{saturationChart}}}</figure>{{/saturationChart}}
        <h2>Counts</h2>{{{counts}}}
        <h2>Percentiles</h2>{{{spectrum}}}
        {{#usage}}<h2>Cost per request</h2>{{{usage}}}{{/usage}}
        """
}

/// A run's start as people compare runs: to the minute, in UTC.
private func moment(_ ms: Int64) -> String { ReportFormat.moment(ms, seconds: false) }
