import AlmanacCatalog
import AlmanacConfig
import AlmanacCosts
import AlmanacRuntime
import Foundation
import Hummingbird
import Logging

/// Cost and carbon: `capacity/costs.yaml` applied to the last 30 days of what the monitoring
/// engine stored, as a page with charts and as JSON; and the job that stores each finished
/// day's figures as series, which budget alert rules forecast.
struct CostsDomain: Domain {
    let files: ReloadingFiles<CostModel?>
    let catalog: CatalogConfig
    let service: CostService
    let configDirectory: String
    let recorder: CostRecorder
    let costIntervalSeconds: Double
    let clock: WallClock
    let logger: Logger

    init(_ configuration: ServerConfiguration, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        // The catalogue's hosts are checked when the report is made: the two files reload apart.
        let files = try ReloadingFiles<CostModel?>(
            configDirectory: configuration.configDirectory, folders: ["capacity"], clock: configuration.clock, logger: logger
        ) { root in
            guard FileManager.default.fileExists(atPath: root + "/" + CostsFile.path) else { return nil }
            let text = try ConfigFolder.read(root: root, file: CostsFile.path)
            return try CostsFile.parse(try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: nil, grid: GridFactors.table)
        }
        let knowledge = catalog.knowledge
        let config = monitoring.config
        let store = monitoring.series
        let service = CostService { config.current.seriesSource(store: store) }
        let directory = configuration.configDirectory
        self.files = files
        self.catalog = knowledge
        self.service = service
        configDirectory = directory
        costIntervalSeconds = configuration.costIntervalSeconds
        clock = configuration.clock
        self.logger = logger
        recorder = CostRecorder(service: service, heads: monitoring.heads, logger: logger) {
            guard let model = files.current else { return nil }
            let catalog = knowledge.current.catalog
            try Self.check(model, catalog: catalog)
            return .init(model: model, catalog: catalog, requests: try CostRequests.load(configDirectory: directory, repository: directory))
        }
    }

    var reloadables: [any Reloadable] { [files] }
    var jobs: [ClusterJob] {
        [
            ClusterJob(
                "daily costs",
                PeriodicJob("daily costs", every: costIntervalSeconds, clock: clock, logger: logger, failure: "daily costs not recorded") {
                    [recorder] now in try await recorder.round(now: now)
                })
        ]
    }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Costs", path: "/costs", group: .capacity)] }

    static func check(_ model: CostModel, catalog: Catalog) throws(CostsProblem) {
        let known = Set(catalog.entities.values.flatMap(\.servers))
        if let unknown = model.hosts.first(where: { !known.contains($0.name) }) {
            throw CostsProblem("\(CostsFile.path):\(unknown.line): unknown host '\(unknown.name)' (not a server of the catalogue)")
        }
    }

    /// The last 30 days' report; a `CostsProblem` says why there is none.
    func report() async throws -> CostReport {
        guard let model = files.current else { throw CostsProblem("no capacity/costs.yaml in the config repository") }
        let catalog = catalog.current.catalog
        try Self.check(model, catalog: catalog)
        let requests: [String: ServiceRequest]
        do { requests = try CostRequests.load(configDirectory: configDirectory, repository: configDirectory) } catch {
            throw CostsProblem("\(error)")
        }
        let now = clock.milliseconds()
        return try await service.report(model: model, catalog: catalog, requests: requests, from: now - 30 * 86_400_000, to: now)
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        let renderer = web.renderer(["costs": CostsPage.template])
        groups.viewers.get("/api/v1/costs") { _, _ in
            try JSONResponse.encode(try await report())
        }
        groups.viewers.get("/costs") { _, context in
            let page: CostsPage
            do { page = CostsPage(try await report(), error: files.error) } catch let problem as CostsProblem {
                page = CostsPage(problem: problem.description, error: files.error)
            }
            return renderer.page("costs", title: "Costs", actor: context.actor, context: page)
        }
        return routes
    }
}

/// No report to make: no costs file, or one that does not fit the catalogue or the requests.
struct CostsProblem: APIProblem, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
    var status: HTTPResponse.Status { .notFound }
}
