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
        config = try MonitoringConfig(configDirectory: configuration.configDirectory, clock: configuration.clock, logger: logger)
        (series, heads) = SQLSeriesStore.withHead(database: database, logDirectory: configuration.dataDirectory + "/series-log")
        let alerts = SQLAlertStore(database: database)
        let sources = RuleSources()
        ruleSources = sources
        let clock = configuration.clock
        self.clock = clock
        let rules = RuleService(
            config: config, store: series, alerts: alerts, externalURL: configuration.externalURL, sources: sources, logger: logger)
        let notifier = Notifier(alerts: alerts, maximumBackoffSeconds: configuration.notificationBackoffSeconds, clock: clock, logger: logger)
        let retention = RetentionService(store: series, config: config, clock: clock, logger: logger)
        alertService = AlertService(store: alerts, config: config, clock: clock)
        seed = HistorySeed(configDirectory: configuration.configDirectory, store: series, logger: logger, clock: clock)
        jobs = [
            ClusterJob("scraping", Scraper(config: config, heads: heads, clock: clock, logger: logger)),
            ClusterJob(
                "rule evaluation",
                PeriodicJob(
                    "rule evaluation", every: configuration.ruleIntervalSeconds, clock: clock, logger: logger, failure: "rule evaluation failed"
                ) { [rules] now in try await rules.round(now: now) }),
            ClusterJob(
                "notifications",
                PeriodicJob("notifications", every: 0.25, clock: clock, logger: logger, failure: "cannot deliver notifications") {
                    [notifier] now in try await notifier.round(now: now)
                }),
            ClusterJob(
                "retention and rollups",
                PeriodicJob(
                    "retention and rollups", every: configuration.compactionIntervalSeconds, clock: clock, logger: logger,
                    failure: "compaction failed; raw samples are kept until it succeeds"
                ) { [retention] now in try await retention.compact(now: now) }),
        ]
    }

    let seed: HistorySeed
    let clock: WallClock
    let leases: ClusterLeases

    /// A new store takes the history the config repository carries, before rules first run; one
    /// replica imports it while the others start.
    func prepare() async throws { _ = try await leases.once("history import", for: 600) { try await seed.importIfEmpty() } }

    var alerts: SQLAlertStore { alertService.store }
    /// What pages and the API read series through.
    var reader: SeriesService { SeriesService(store: series, config: config) }
    var reloadables: [any Reloadable] { [config] }
    var navigation: [NavigationEntry] {
        [
            .init(title: "Alerts", path: "/alerts", group: .monitoring), .init(title: "Series", path: "/series", group: .monitoring),
            .init(title: "Trends", path: "/trends", group: .monitoring), .init(title: "Thresholds", path: "/thresholds", group: .monitoring),
        ]
    }

    /// Series by name, one hit per name (its first series; the page lists the others' labels).
    func search(_ query: String) async throws -> [SearchHit] {
        var seen: Set<String> = []
        return try await reader.series().compactMap { series in
            guard series.name.lowercased().contains(query), seen.insert(series.name).inserted else { return nil }
            return SearchHit(title: series.name, kind: "series", path: "/series/\(series.id)")
        }
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        MonitoringRoutes(series: reader, clock: clock).add(to: groups)
        AlertRoutes(alerts: alertService).add(to: groups)
        SilenceRoutes(alerts: alertService, maximumBodyBytes: web.maximumBodyBytes, clock: clock).add(to: groups)
        MonitoringPages(
            series: reader, alertService: alertService, renderer: web.renderer(MonitoringTemplates.all), maximumBodyBytes: web.maximumBodyBytes,
            changes: web.changes, clock: clock
        )
        .add(to: groups)
        TrendPages(series: reader, renderer: web.renderer(TrendPages.templates), changes: web.changes, clock: clock).add(to: groups)
        return routes
    }
}
