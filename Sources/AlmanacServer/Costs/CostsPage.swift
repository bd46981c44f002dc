import AlmanacCharts
import AlmanacCosts
import Foundation

/// The costs page: the hosts' and services' tables, their shares as bars, where the money and
/// CO2e go, and the forecast of both for a year with its range.
struct CostsPage {
    var hosts, services, split, outlook, costChart, carbonChart, outlookChart: String?
    var problem: String?
    var error: String?
    var sources: String?

    init(_ report: CostReport, error: String?) {
        hosts = report.hostTable.html(id: "hosts")
        services = report.serviceTable.html(id: "services")
        split = report.splitTable.html(id: "split")
        let currency = report.currency
        costChart = BarChart(
            title: "Cost by service, idle included (\(currency))",
            bars: report.services.map { .init(label: $0.service, value: $0.cost, missing: $0.missingUsage && $0.cost == 0) }
                + [.init(label: "idle (not spread)", value: report.hosts.reduce(0) { $0 + $1.idle })],
            format: { String(format: "%.2f", $0) }
        ).svg()
        carbonChart = BarChart(
            title: "Emissions by host, operational and embodied (kg CO2e)",
            bars: report.hosts.map { .init(label: $0.host, value: $0.grams / 1000) }, color: "#27ae60", format: { String(format: "%.1f", $0) }
        ).svg()
        if !report.outlook.isEmpty {
            outlook = report.outlookTable.html(id: "outlook")
            outlookChart = Self.outlookChart(report.outlook.filter { $0.service == nil }, currency: currency)
        }
        sources = report.sources
        self.error = error
    }

    init(problem: String, error: String?) {
        self.problem = problem
        self.error = error
    }

    /// All services' money and CO2e a month, now and in 6 and 12 months, each with its range:
    /// one chart each, as their units differ.
    static func outlookChart(_ totals: [CostOutlook], currency: String) -> String? {
        guard !totals.isEmpty else { return nil }
        return totals.map { total in
            let money = total.measure == .money
            let at = { (pick: (CostOutlook.Range) -> Double) in [(0.0, total.now), (6.0, pick(total.sixMonths)), (12.0, pick(total.twelveMonths))] }
            // The range first, so the likely line is drawn over it.
            let lines: [LineChart.Line] = [
                .init(name: "high", color: "#bbbbbb", points: at(\.high)), .init(name: "low", color: "#bbbbbb", points: at(\.low)),
                .init(name: "likely", color: money ? "#2c7fb8" : "#27ae60", points: at(\.likely)),
            ]
            return LineChart(
                title: money ? "All services, \(currency) a month" : "All services, kg CO2e a month", lines: lines, unit: "", xTicks: [0, 6, 12],
                xLabel: { $0 == 0 ? "now" : "+\(Int($0)) months" }
            ).svg()
        }.joined()
    }

    static let template = """
        <h1>Costs <small>the last 30 days</small></h1>
        {{#error}}<p class="error">The capacity files have a problem; the last good set is used: {{error}}</p>{{/error}}
        {{#problem}}<p class="error" id="problem">{{problem}}</p>{{/problem}}
        {{#costChart}}<figure class="costs">{{{costChart}}}</figure>{{/costChart}}
        {{#carbonChart}}<figure class="carbon">{{{carbonChart}}}</figure>{{/carbonChart}}
        {{#hosts}}<h2>Hosts</h2>{{{hosts}}}{{/hosts}}
        {{#services}}<h2>Services</h2>{{{services}}}{{/services}}
        {{#split}}<h2>Where it goes</h2>{{{split}}}{{/split}}
        {{#outlook}}<h2>Forecast</h2><figure class="outlook">{{{outlookChart}}}</figure>{{{outlook}}}
        <p>Budgets are alert rules on <code>almanac_cost_per_month</code> and <code>almanac_co2e_kg_per_month</code>
        with a forecast, as for a disk.</p>{{/outlook}}
        {{#sources}}<p><small>{{sources}}</small></p>{{/sources}}
        <p><code>almanac report costs --format markdown</code> · <code>--what-if FILE</code> · <a href="/api/v1/costs">JSON</a></p>
        """
}
