import AlmanacCharts
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacSLO
import Hummingbird

/// One SLO: its figures, the burn rate over each alerting window, and its budget's burn-down
/// over the window with the rollouts and flag changes of that time, as a page and as JSON.
struct SLOPages: Sendable {
    let service: SLOService
    let renderer: PageRenderer
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]

    func add(to groups: AccessGroups) {
        groups.viewers.get("/api/v1/slos/:name") { _, context in
            let name = try context.parameters.decoded("name")
            guard let detail = try await service.detail(named: name) else { throw EdgeProblem.notFound("no SLO named \(name)") }
            return try JSONResponse.encode(
                Record(
                    slo: SLORecord(detail.status.slo, detail.status.evaluation, problem: detail.status.problem),
                    burnDown: detail.burnDown.map { [Double($0.time), $0.remaining * 100] }))
        }
        groups.viewers.get("/slos/:name") { _, context in
            let detail = try await detail(context)
            let slo = detail.status.slo
            let record = SLORecord(slo, detail.status.evaluation, problem: detail.status.problem)
            var chart = TimeChart(
                title: "Error budget left, the last \(DurationText.compact(slo.window))",
                history: detail.burnDown.map { TimeChart.Point(time: $0.time, value: $0.remaining) }, threshold: 0,
                crossing: detail.status.evaluation?.exhaustion.map { ($0.earliest, $0.likely, $0.latest) })
            chart.unit = .ratio
            chart.markers = try await changes(detail.start, detail.burnDown.last?.time ?? detail.start)
            let page = Page(
                name: slo.name, service: slo.service, file: record.file, problem: record.problem,
                table: SLOReport.table([record]).html(id: "slo"),
                burns: record.burnRates.sorted { (DurationText.milliseconds($0.key) ?? 0) < (DurationText.milliseconds($1.key) ?? 0) }
                    .map { Burn(window: $0.key, rate: String(format: "%.2f×", $0.value)) },
                chart: detail.burnDown.isEmpty ? nil : chart.svg())
            return renderer.page("slo", title: "SLO \(slo.name)", actor: context.actor, context: page)
        }
    }

    private func detail(_ context: AlmanacRequestContext) async throws -> SLOService.Detail {
        let name = try context.parameters.decoded("name")
        guard let detail = try await service.detail(named: name) else { throw HTTPError(.notFound, message: "no SLO named \(name)") }
        return detail
    }

    struct Record: Encodable {
        var slo: SLORecord
        /// `[time ms, budget left %]` for each hour of the window.
        var burnDown: [[Double]]
    }

    struct Burn {
        var window: String
        var rate: String
    }

    struct Page {
        var name, service, file: String
        var problem: String?
        var table: String
        var burns: [Burn]
        var chart: String?
    }

    static let template = """
        <h1>SLO {{name}}</h1><p>Service <a href="/catalog">{{service}}</a>, from <code>{{file}}</code>.</p>
        {{#problem}}<p class="errors" id="problem">{{problem}}</p>{{/problem}}
        {{{table}}}
        <h2>Burn rates</h2><table id="burns"><tr><th>Window</th><th>Burn rate</th></tr>
        {{#burns}}<tr><td>{{window}}</td><td>{{rate}}</td></tr>{{/burns}}</table>
        {{#chart}}<h2>Budget</h2><figure id="burn-down">{{{chart}}}</figure>
        <p>Markers: R a rollout, B a rollback, F a flag change; a pointer over one says which.</p>{{/chart}}
        """
}
