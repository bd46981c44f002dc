import AlmanacAlerts
import AlmanacCharts
import AlmanacChecks
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// The checks pages: every check with its state, one check with its latency and its history,
/// and the timeline of every change and action.
struct ChecksPages: Sendable {
    let files: ReloadingFiles<CheckFiles>
    let book: CheckBook
    let series: SeriesService
    let renderer: PageRenderer
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]
    static let templates = ["checks": listTemplate, "check": checkTemplate, "timeline": timelineTemplate]
    let clock: WallClock

    func add(to groups: AccessGroups) {
        groups.viewers.get("/checks") { _, context in
            let states = try await book.all()
            let rows = files.current.checks.map { check -> [String] in
                let state = states[check.name]
                return [
                    "<a href=\"\(HTML.link("/checks/", check.name))\">\(HTML.escape(check.name))</a>", HTML.escape(check.entity.shortText),
                    check.kind,
                    Self.status(state), state.map { String(format: "%.0f%%", $0.flap.percent) + ($0.flap.flapping ? " flapping" : "") } ?? "",
                    state?.lastAt.map { ReportFormat.moment($0) } ?? "not yet", HTML.escape(state?.lastOutput ?? ""),
                ]
            }
            let page = ListPage(
                table: Self.table(["Check", "Entity", "Kind", "State", "State change", "Last result", "Output"], rows, id: "checks"),
                count: rows.count, error: files.error)
            return renderer.page("checks", title: "Checks", actor: context.actor, context: page)
        }
        groups.viewers.get("/checks/:name") { _, context in
            let name = try context.parameters.decoded("name")
            guard let check = files.current.checks.first(where: { $0.name == name }) else {
                throw HTTPError(.notFound, message: "no check named \(name)")
            }
            let state = try await book.current(check)
            let events = try await book.events(check: name)
            let now = clock.milliseconds()
            let latency = try await series.select(
                Selector(name: "almanac_check_latency_seconds", matchers: [.equal("check", name)]), from: now - 86_400_000, to: now)
            let points = latency.first?.samples.map { (x: Double($0.timestamp - now) / 60_000, y: $0.value * 1000) } ?? []
            var chart: String?
            if points.count >= 2 {
                var drawn = LineChart(
                    title: "Latency, the last 24 hours (ms)", lines: [.init(name: name, color: "#2c7fb8", points: points)], unit: "ms",
                    xLabel: { $0 > -0.01 ? "now" : DurationText.span(Int64(-$0 * 60_000)) + " ago" })
                drawn.markers = try await changes(now - 86_400_000, now).map { (Double($0.time - now) / 60_000, $0) }
                chart = drawn.svg()
            }
            let page = CheckPage(
                name: name, entity: check.entity.description, kind: check.kind, file: "\(check.file):\(check.line)",
                schedule: "every \(DurationText.compact(check.interval)), \(check.attempts) attempts, "
                    + "retry every \(DurationText.compact(check.retryInterval))",
                state: Self.status(state),
                flapping: String(format: "%.1f%% state change", state.flap.percent) + (state.flap.flapping ? ", flapping" : ""),
                output: state.lastOutput, chart: chart, events: Self.events(events, withCheck: false))
            return renderer.page("check", title: "Check \(name)", actor: context.actor, context: page)
        }
        groups.viewers.get("/timeline") { _, context in
            let events = try await book.events(limit: 500)
            return renderer.page("timeline", title: "Timeline", actor: context.actor, context: ["table": Self.events(events, withCheck: true)])
        }
    }

    static func status(_ state: CheckProgress?) -> String {
        guard let state, let last = state.lastStatus else { return "pending" }
        let type = state.tracker.type == .soft ? " SOFT (attempt \(state.tracker.attempt) of \(state.tracker.attempts))" : " HARD"
        return "<span class=\"status-\(last.description.lowercased())\">\(last)</span>" + (last == .ok && state.tracker.type == .hard ? "" : type)
    }

    static func events(_ events: [TimelineEvent], withCheck: Bool) -> String {
        table(
            ["When"] + (withCheck ? ["Check", "Entity"] : []) + ["Event", "Status", "What", "Output"],
            events.map { e in
                [ReportFormat.moment(e.at)]
                    + (withCheck ? ["<a href=\"\(HTML.link("/checks/", e.check))\">\(HTML.escape(e.check))</a>", HTML.escape(e.entity)] : [])
                    + [HTML.escape(e.event), HTML.escape(e.status), HTML.escape(e.message), "<pre>\(HTML.escape(e.output))</pre>"]
            }, id: "timeline")
    }

    /// A table whose cells are already HTML.
    static func table(_ headers: [String], _ rows: [[String]], id: String) -> String {
        "<table id=\"\(id)\"><thead><tr>" + headers.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
    }

    struct ListPage {
        var table: String
        var count: Int
        var error: String?
    }

    struct CheckPage {
        var name, entity, kind, file, schedule, state, flapping, output: String
        var chart: String?
        var events: String
    }

    static let listTemplate = """
        <h1>Checks <small>{{count}}</small></h1>
        {{#error}}<p class="error">The check files have a problem; the last good set keeps running: {{error}}</p>{{/error}}
        {{{table}}}
        <p><a href="/timeline">Timeline</a> · <a href="/api/v1/checks">JSON</a></p>
        """

    static let checkTemplate = """
        <h1>Check {{name}} <small>{{kind}} · {{entity}}</small></h1>
        <p id="state">{{{state}}} · {{flapping}}</p>
        <p>{{schedule}} · <code>{{file}}</code></p>
        <pre id="output">{{output}}</pre>
        {{#chart}}<figure class="latency">{{{chart}}}</figure>{{/chart}}
        <h2>History</h2>
        {{{events}}}
        """

    static let timelineTemplate = """
        <h1>Timeline <small>every check's changes and every recovery</small></h1>
        {{{table}}}
        <p><a href="/api/v1/timeline">JSON</a></p>
        """
}
