import AlmanacAlerts
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Assembles the server from its domains: each registers its own routes and pages.
public struct AlmanacServer: Sendable {
    public let configuration: ServerConfiguration
    public let database: Database
    public let flags: FlagService
    public let monitoring: MonitoringConfig
    public let catalog: CatalogConfig
    public let pipeline: PipelineConfig
    public let metrics = ServerMetrics()
    let logger: Logger

    /// Opens the database and loads the config repository; throws if either is unusable.
    public init(configuration: ServerConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        database = try await Database.open(url: configuration.databaseURL, dataDirectory: configuration.dataDirectory, logger: logger)
        do {
            monitoring = try MonitoringConfig(configDirectory: configuration.configDirectory, logger: logger)
            catalog = try CatalogConfig(configDirectory: configuration.configDirectory, logger: logger)
            pipeline = try PipelineConfig(configDirectory: configuration.configDirectory, logger: logger)
            flags = try await FlagService(
                repository: ConfigRepository(root: configuration.configDirectory), environment: configuration.environment,
                store: SQLFlagStore(database: database), logger: logger)
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// The HTTP application with every route and background service; `onRunning` gets the bound port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        let auth = Authenticator(adminTokens: configuration.adminTokens, clientKeys: configuration.clientKeys)
        router.add(middleware: SecurityHeadersMiddleware())
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            do {
                _ = try await flags.store.latestChangeID()
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
        metrics.register(on: router, flags: flags)
        OFREPRoutes(
            flags: flags, auth: auth, limiter: RateLimiter(rate: configuration.rateLimit), metrics: metrics,
            maximumBodyBytes: configuration.maximumBodyBytes
        ).register(on: router)
        FlagAdminRoutes(flags: flags, auth: auth, maximumBodyBytes: configuration.maximumBodyBytes).register(on: router)
        FlagPages(flags: flags, auth: auth, maximumBodyBytes: configuration.maximumBodyBytes).register(on: router)
        let seriesStore = SQLSeriesStore(database: database)
        MonitoringRoutes(store: seriesStore).register(on: router)
        let heads = SeriesHeads(store: seriesStore)
        let scraper = Scraper(config: monitoring, heads: heads, logger: logger)
        let alertStore = SQLAlertStore(database: database)
        AlertRoutes(store: alertStore).register(on: router)
        let decisions = SilenceRoutes(store: alertStore, auth: auth, maximumBodyBytes: configuration.maximumBodyBytes)
        decisions.register(on: router)
        MonitoringPages(series: seriesStore, alerts: alertStore, config: monitoring, auth: auth, decisions: decisions).register(on: router)
        CatalogPages(knowledge: catalog, monitoring: monitoring, auth: auth).register(on: router)
        let releases = SQLReleaseStore(database: database)
        let rollouts = RolloutManager(
            pipeline: pipeline, store: releases, alerts: alertStore, series: seriesStore, monitoring: monitoring,
            externalURL: "http://\(configuration.host):\(configuration.port)", leaseSeconds: configuration.rolloutLeaseSeconds, logger: logger)
        let pipelineService = PipelineService(pipeline: pipeline, store: releases, rollouts: rollouts)
        PipelineRoutes(service: pipelineService, auth: auth, maximumBodyBytes: configuration.maximumBodyBytes).register(on: router)
        PipelinePages(service: pipelineService, maximumBodyBytes: configuration.maximumBodyBytes, auth: auth).register(on: router)
        let drift = DriftWatcher(pipeline: pipeline, store: releases, heads: heads, intervalSeconds: configuration.driftIntervalSeconds, logger: logger)
        TrendPages(config: monitoring, store: seriesStore, auth: auth).register(on: router)
        let ruleService = RuleService(
            config: monitoring, store: seriesStore, alerts: alertStore,
            intervalSeconds: configuration.ruleIntervalSeconds, externalURL: "http://\(configuration.host):\(configuration.port)", logger: logger)
        let notifier = Notifier(alerts: alertStore, maximumBackoffSeconds: configuration.notificationBackoffSeconds, logger: logger)
        let retention = RetentionService(
            store: seriesStore, config: monitoring, intervalSeconds: configuration.compactionIntervalSeconds, logger: logger)
        let watcher = ConfigWatcher(
            reloadables: [flags, monitoring, catalog, pipeline], flags: flags, configPollSeconds: configuration.configPollSeconds,
            changePollSeconds: configuration.changePollSeconds, usageFlushSeconds: configuration.usageFlushSeconds, logger: logger)
        let database = self.database
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "almanac"),
            // Shutdown runs in reverse: the HTTP server stops, then the watcher saves counts, then the database closes.
            services: [DatabaseCloser(database: database), watcher, scraper, ruleService, notifier, retention, RolloutRecovery(manager: rollouts), drift],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: configuration.eventLoopThreads > 0
                ? .shared(MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)) : .singleton,
            logger: logger)
    }
}

/// Headers every response carries: pages must not be framed or sniffed.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        return response
    }
}
