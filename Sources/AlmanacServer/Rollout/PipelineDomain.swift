import AlmanacCharts
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// The release pipeline: `pipeline/pipeline.yaml`, QA states, rollouts in waves, the daily
/// follow and the drift watch, with their pages and API.
struct PipelineDomain: Domain {
    let service: PipelineService
    let jobs: [ClusterJob]

    /// `budgetGate` says why a service's error budget holds its rollouts back (SLOs spent), or nil.
    init(
        _ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain,
        budgetGate: @escaping @Sendable (String) async throws -> String?, logger: Logger
    ) throws {
        let pipeline = try PipelineConfig(configDirectory: configuration.configDirectory, clock: configuration.clock, logger: logger)
        let releases = SQLReleaseStore(database: database)
        let rollouts = RolloutManager(
            pipeline: pipeline, store: releases, alerts: monitoring.alerts, series: monitoring.series, monitoring: monitoring.config,
            externalURL: configuration.externalURL, leaseSeconds: configuration.rolloutLeaseSeconds,
            ruleIntervalSeconds: configuration.ruleIntervalSeconds, clock: configuration.clock, logger: logger, budgetGate: budgetGate)
        service = PipelineService(pipeline: pipeline, store: releases, rollouts: rollouts, clock: configuration.clock)
        let recovery = RolloutRecovery(manager: rollouts)
        let drift = DriftWatcher(pipeline: pipeline, store: releases, heads: monitoring.heads, clock: configuration.clock)
        self.logger = logger
        clock = configuration.clock
        jobs = [
            ClusterJob(
                "rollout recovery and daily follows",
                PeriodicJob(
                    "rollout recovery and daily follows", every: 5, clock: configuration.clock, logger: logger,
                    failure: "cannot mark interrupted rollouts"
                ) { [recovery] now in try await recovery.round(now: now) }),
            // Under the scraping lease: its samples go to the same head, which one replica keeps.
            ClusterJob(
                "scraping",
                PeriodicJob(
                    "drift", every: configuration.driftIntervalSeconds, clock: configuration.clock, logger: logger,
                    failure: "cannot check host revisions", interruptible: true
                ) { [drift] now in try await drift.observe(now: now) }),
        ]
    }

    let logger: Logger
    let clock: WallClock

    /// Each start clones the application's repository when missing (the example creates it and
    /// starts its local hosts).
    func prepare() async throws {
        guard let result = await service.setUp() else { return }
        if result.ok {
            logger.info("ran the pipeline's setup command", metadata: ["output": "\(result.output.suffix(2000))"])
        } else {
            // The server still starts: the pipeline page says the repository is missing, the other domains work.
            logger.error("the pipeline's setup command failed", metadata: ["output": "\(result.output.suffix(2000))"])
        }
    }

    func changes(from: Int64, to: Int64) async throws -> [ChartMarker] {
        try await service.rollouts(from: from, to: to).flatMap { started, rollout in
            rollout.moments(startedAt: started).map { ChartMarker(time: $0.at, kind: $0.rollback ? .rollback : .rollout, label: $0.text) }
        }
    }

    var reloadables: [any Reloadable] { [service.pipeline] }
    var navigation: [NavigationEntry] {
        [NavigationEntry(title: "Pipeline", path: "/pipeline", group: .release), NavigationEntry(title: "Drift", path: "/drift", group: .release)]
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        PipelineRoutes(service: service, maximumBodyBytes: web.maximumBodyBytes).add(to: groups)
        PipelinePages(service: service, maximumBodyBytes: web.maximumBodyBytes, renderer: web.renderer(PipelinePages.templates)).add(to: groups)
        return routes
    }
}
