import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging

/// Experiments: the flags that run one, the events clients post (`POST /api/v1/events`), and
/// the results with their decision, as pages and JSON.
struct ExperimentsDomain: Domain {
    let service: ExperimentService
    let configDirectory: String

    init(_ configuration: ServerConfiguration, database: Database, flags: FlagsDomain, monitoring: MonitoringDomain) {
        let (config, series) = (monitoring.config, monitoring.series)
        service = ExperimentService(
            flags: flags.flags, store: SQLExperimentStore(database: database), clock: configuration.clock,
            source: { config.current.seriesSource(store: series) })
        configDirectory = configuration.configDirectory
    }

    /// A first start stores the histories the repository carries (the example's A/B test).
    func prepare() async throws {
        try await ExperimentSeed(configDirectory: configDirectory, service: service).importIfEmpty()
    }

    var reloadables: [any Reloadable] { [] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Experiments", path: "/experiments", group: .flags)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        ExperimentRoutes(service: service, renderer: web.renderer(ExperimentPages.templates)).add(to: web.access.groups(routes))
        return routes
    }
}

extension ExperimentService.Problem: APIProblem {
    public var status: HTTPResponse.Status { .badRequest }
    public var fieldName: String? { field }
}
