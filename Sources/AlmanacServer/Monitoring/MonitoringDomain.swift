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
    let jobs: [any Service]

    init(_ configuration: ServerConfiguration, database: Database, logger: Logger) throws {
        config = try MonitoringConfig(configDirectory: configuration.configDirectory, logger: logger)
        series = SQLSeriesStore(database: database)
        heads = SeriesHeads(store: series)
        let alerts = SQLAlertStore(database: database)
        alertService = AlertService(store: alerts, config: config)
        seed = HistorySeed(configDirectory: configuration.configDirectory, store: series, logger: logger)
        jobs = [
            Scraper(config: config, heads: heads, logger: logger),
            RuleService(
                config: config, store: series, alerts: alerts, intervalSeconds: configuration.ruleIntervalSeconds,
                externalURL: configuration.externalURL, logger: logger),
            Notifier(alerts: alerts, maximumBackoffSeconds: configuration.notificationBackoffSeconds, logger: logger),
            RetentionService(store: series, config: config, intervalSeconds: configuration.compactionIntervalSeconds, logger: logger),
        ]
    }

    let seed: HistorySeed

    /// A new store takes the history the config repository carries, before rules first run.
    func prepare() async throws { try await seed.importIfEmpty() }

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
            series: series, alertService: alertService, renderer: web.renderer(MonitoringTemplates.all), maximumBodyBytes: web.maximumBodyBytes
        )
        .add(to: groups)
        TrendPages(config: config, store: series, renderer: web.renderer(TrendPages.templates)).add(to: groups)
        return routes
    }
}
