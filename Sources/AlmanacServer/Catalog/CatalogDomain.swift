import AlmanacRuntime
import Hummingbird
import Logging
import ServiceLifecycle

/// Who knows what: the catalogue under `catalog/` and the documentation under `docs/`, with
/// their pages.
struct CatalogDomain: Domain {
    let knowledge: CatalogConfig
    let monitoring: MonitoringConfig

    init(_ configuration: ServerConfiguration, monitoring: MonitoringDomain, logger: Logger) throws {
        knowledge = try CatalogConfig(configDirectory: configuration.configDirectory, clock: configuration.clock, logger: logger)
        self.monitoring = monitoring.config
    }

    var reloadables: [any Reloadable] { [knowledge] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Catalogue", path: "/catalog")] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        CatalogPages(knowledge: knowledge, monitoring: monitoring, renderer: web.renderer(CatalogPages.templates)).add(to: web.access.groups(routes))
        return routes
    }
}
