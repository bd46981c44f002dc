import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// Monitoring: the files under `monitoring/`, scraping, rules and notifications, retention, the
/// alert decisions, and the series, alerts, trends and thresholds pages and API.
struct MonitoringDomain: Domain {
    let config: MonitoringConfig
    let series: SQLSeriesStore
    let heads: SeriesHeads
    let alertService: AlertService
    let jobs: [ClusterJob]
    /// Where other domains add rules they compute themselves (SLO burn rates).
    let ruleSources: RuleSources

    init(_ configuration: ServerConfiguration, database: Database, leases: ClusterLeases, logger: Logger) throws {
        self.leases = leases
        config = try MonitoringConfig(configDirectory: configuration.configDirectory, logger: logger)
        (series, heads) = SQLSeriesStore.withHead(database: database, logDirectory: configuration.dataDirectory + "/series-log")
        let alerts = SQLAlertStore(database: database)
        let sources = RuleSources()
        ruleSources = sources
        alertService = AlertService(store: alerts, config: config)
        seed = HistorySeed(configDirectory: configuration.configDirectory, store: series, logger: logger)
        jobs = [
            ClusterJob("scraping", Scraper(config: config, heads: heads, logger: logger)),
            ClusterJob(
                "rule evaluation",
                RuleService(
                    config: config, store: series, alerts: alerts, intervalSeconds: configuration.ruleIntervalSeconds,
                    externalURL: configuration.externalURL, sources: sources, logger: logger)),
            ClusterJob("notifications", Notifier(alerts: alerts, maximumBackoffSeconds: configuration.notificationBackoffSeconds, logger: logger)),
            ClusterJob(
                "retention and rollups",
                RetentionService(store: series, config: config, intervalSeconds: configuration.compactionIntervalSeconds, logger: logger)),
        ]
    }

    let seed: HistorySeed
    let leases: ClusterLeases

    /// A new store takes the history the config repository carries, before rules first run; one
    /// replica imports it while the others start.
    func prepare() async throws { _ = try await leases.once("history import", for: 600) { try await seed.importIfEmpty() } }

    var alerts: SQLAlertStore { alertService.store }
    var reloadables: [any Reloadable] { [config] }
    var navigation: [NavigationEntry] {
        [
            .init(title: "Alerts", path: "/alerts"), .init(title: "Series", path: "/series"), .init(title: "Trends", path: "/trends"),
            .init(title: "Thresholds", path: "/thresholds"),
        ]
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        MonitoringRoutes(store: series).add(to: groups)
        AlertRoutes(store: alerts).add(to: groups)
        SilenceRoutes(alerts: alertService, maximumBodyBytes: web.maximumBodyBytes).add(to: groups)
        MonitoringPages(
            series: series, alertService: alertService, renderer: web.renderer(MonitoringTemplates.all), maximumBodyBytes: web.maximumBodyBytes,
            changes: web.changes
        )
        .add(to: groups)
        TrendPages(config: config, store: series, renderer: web.renderer(TrendPages.templates), changes: web.changes).add(to: groups)
        return routes
    }
}
