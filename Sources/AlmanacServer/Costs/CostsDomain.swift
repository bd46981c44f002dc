import AlmanacCatalog
import AlmanacCharts
import AlmanacConfig
import AlmanacCosts
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird
import Logging

/// Cost and carbon: `capacity/costs.yaml` applied to the last 30 days of what the monitoring
/// engine stored, as a page with charts and as JSON.
struct CostsDomain: Domain {
    let files: ReloadingFiles<CostModel?>
    let catalog: CatalogConfig
    let service: CostService

    init(_ configuration: ServerConfiguration, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        // The catalogue's hosts are checked when the report is made: the two files reload apart.
        files = try ReloadingFiles(configDirectory: configuration.configDirectory, folders: ["capacity"], logger: logger) { root in
            guard FileManager.default.fileExists(atPath: root + "/" + CostsFile.path) else { return nil }
            let text = try ConfigFolder.read(root: root, file: CostsFile.path)
            return try CostsFile.parse(try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: nil, grid: GridFactors.table)
        }
        self.catalog = catalog.knowledge
        let config = monitoring.config
        let store = monitoring.series
        service = CostService { config.current.seriesSource(store: store) }
    }

    var reloadables: [any Reloadable] { [files] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Costs", path: "/costs")] }

    /// The last 30 days' report, or why there is none.
    func report() async throws -> Result<CostReport, CostsProblem> {
        guard let model = files.current else { return .failure(.init("no capacity/costs.yaml in the config repository")) }
        let catalog = catalog.current.catalog
        let known = Set(catalog.entities.values.flatMap(\.servers))
        if let unknown = model.hosts.first(where: { !known.contains($0.name) }) {
            return .failure(.init("\(CostsFile.path):\(unknown.line): unknown host '\(unknown.name)' (not a server of the catalogue)"))
        }
        let now = WallClock.milliseconds()
        return .success(try await service.report(model: model, catalog: catalog, from: now - 30 * 86_400_000, to: now))
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        let renderer = web.renderer(["costs": CostsPage.template])
        groups.admins.get("/api/v1/costs") { _, _ in
            switch try await report() {
            case .success(let report): return try JSONResponse.encode(report)
            case .failure(let problem): return JSONResponse.error(.notFound, problem.description)
            }
        }
        groups.open.get("/costs") { _, context in
            let page: CostsPage
            switch try await report() {
            case .success(let report): page = CostsPage(report, error: files.error)
            case .failure(let problem): page = CostsPage(problem: problem.description, error: files.error)
            }
            return renderer.page("costs", title: "Costs", actor: context.actor, context: page)
        }
        return routes
    }
}

struct CostsProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The costs page: the hosts' and services' tables and their shares as bars.
struct CostsPage {
    var hosts, services, costChart, carbonChart: String?
    var problem: String?
    var error: String?
    var sources: String?

    init(_ report: CostReport, error: String?) {
        hosts = report.hostTable.html(id: "hosts")
        services = report.serviceTable.html(id: "services")
        let currency = report.currency
        costChart = BarChart(
            title: "Cost by service, idle included (\(currency))",
            bars: report.services.map { .init(label: $0.service, value: $0.cost, missing: $0.missingUsage && $0.cost == 0) }
                + [.init(label: "idle (not spread)", value: report.hosts.reduce(0) { $0 + $1.idle })],
            format: { String(format: "%.2f", $0) }
        ).svg()
        carbonChart = BarChart(
            title: "Emissions by host, operational and embodied (kg CO2e)",
            bars: report.hosts.map { .init(label: $0.host, value: ($0.operationalGrams + ($0.embodiedGrams ?? 0)) / 1000) },
            color: "#27ae60", format: { String(format: "%.1f", $0) }
        ).svg()
        sources = "Energy: \(report.coefficientSource). Grid factors: \(report.gridSource)."
        self.error = error
    }

    init(problem: String, error: String?) {
        self.problem = problem
        self.error = error
    }

    static let template = """
        <h1>Costs <small>the last 30 days</small></h1>
        {{#error}}<p class="error">The capacity files have a problem; the last good set is used: {{error}}</p>{{/error}}
        {{#problem}}<p class="error" id="problem">{{problem}}</p>{{/problem}}
        {{#costChart}}<figure class="costs">{{{costChart}}}</figure>{{/costChart}}
        {{#carbonChart}}<figure class="carbon">{{{carbonChart}}}</figure>{{/carbonChart}}
        {{#hosts}}<h2>Hosts</h2>{{{hosts}}}{{/hosts}}
        {{#services}}<h2>Services</h2>{{{services}}}{{/services}}
        {{#sources}}<p><small>{{sources}}</small></p>{{/sources}}
        <p><code>almanac report costs --format markdown</code> · <a href="/api/v1/costs">JSON</a></p>
        """
}
