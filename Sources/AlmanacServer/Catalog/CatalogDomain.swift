import AlmanacCatalog
import AlmanacRuntime
import Hummingbird
import Logging
import ServiceLifecycle

/// Who knows what: the catalogue under `catalog/` and the documentation under `docs/`, with
/// their pages.
struct CatalogDomain: Domain {
    let knowledge: CatalogConfig
    let monitoring: MonitoringConfig
    /// The pipeline's roles with one host, for the report. The pipeline is assembled after the
    /// catalogue (its SLO gate reads the catalogue), so the composition root hands it over with
    /// `reporting(pipeline:)`.
    var singleHostRoles: @Sendable () async throws -> [CatalogReport.SingleHostRole] = { [] }

    init(_ configuration: ServerConfiguration, monitoring: MonitoringDomain, logger: Logger) throws {
        knowledge = try CatalogConfig(configDirectory: configuration.configDirectory, clock: configuration.clock, logger: logger)
        self.monitoring = monitoring.config
    }

    /// This domain with the pipeline's single points of failure in its report.
    func reporting(pipeline: PipelineService) -> CatalogDomain {
        var domain = self
        domain.singleHostRoles = pipeline.singleHostRoles
        return domain
    }

    var reloadables: [any Reloadable] { [knowledge] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] {
        [
            NavigationEntry(title: "Catalogue", path: "/catalog", group: .people),
            NavigationEntry(title: "Who knows what", path: "/catalog/report", group: .people),
        ]
    }

    func search(_ query: String) async throws -> [SearchHit] {
        knowledge.current.catalog.entities.values.compactMap { entity in
            let ref = entity.ref
            let titled = (entity.title ?? "").lowercased().contains(query)
            guard ref.name.lowercased().contains(query) || titled else { return nil }
            let kind = ref.kind.rawValue.lowercased() == "user" ? "person" : ref.kind.rawValue.lowercased()
            return SearchHit(title: ref.name, kind: kind, path: CatalogPages.link(ref), detail: entity.title ?? entity.type ?? "")
        }
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        CatalogPages(
            knowledge: knowledge, monitoring: monitoring, singleHostRoles: singleHostRoles, renderer: web.renderer(CatalogPages.templates)
        ).add(to: web.access.groups(routes))
        return routes
    }
}
