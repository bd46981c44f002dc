import AlmanacCharts
import AlmanacRuntime
import AlmanacStorage
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The composition root: opens the database, assembles the domains (one line each), and builds
/// the HTTP application with every domain's routes and background jobs.
public struct AlmanacServer: Sendable {
    public let configuration: ServerConfiguration
    public let database: Database
    public let metrics = ServerMetrics()
    let flagsDomain: FlagsDomain
    let accessDomain: AccessDomain
    let leases: ClusterLeases
    /// Every domain, in the order of the page header.
    let domains: [any Domain]
    let logger: Logger

    /// Opens the database and loads the config repository; throws if either is unusable.
    public init(configuration: ServerConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        database = try await Database.open(url: configuration.databaseURL, dataDirectory: configuration.dataDirectory, logger: logger)
        do {
            let flags = try await FlagsDomain(configuration, database: database, metrics: metrics, logger: logger)
            let leases = ClusterLeases(
                database: database,
                identity: ReplicaIdentity(address: "\(configuration.host):\(configuration.port)", startedAt: configuration.clock.milliseconds()),
                periodSeconds: configuration.leaseSeconds, clock: configuration.clock, logger: logger)
            self.leases = leases
            let monitoring = try MonitoringDomain(configuration, database: database, leases: leases, logger: logger)
            flagsDomain = flags
            seriesHeads = monitoring.heads
            let catalog = try CatalogDomain(configuration, monitoring: monitoring, logger: logger)
            let levels = try SLODomain(configuration, database: database, monitoring: monitoring, catalog: catalog, logger: logger)
            let pipeline = try PipelineDomain(
                configuration, database: database, monitoring: monitoring, budgetGate: levels.service.spentBudget, logger: logger)
            let access = try AccessDomain(configuration, database: database, catalog: catalog, logger: logger)
            accessDomain = access
            // Adding a domain is one line here.
            domains = [
                flags,
                ExperimentsDomain(configuration, database: database, flags: flags, monitoring: monitoring),
                RampsDomain(configuration, flags: flags, monitoring: monitoring, levels: levels, logger: logger),
                FlagSyncDomain(configuration, flags: flags, logger: logger),
                monitoring,
                catalog.reporting(pipeline: pipeline.service),
                pipeline,
                try CapacityDomain(configuration, database: database, monitoring: monitoring, logger: logger),
                try CostsDomain(configuration, monitoring: monitoring, catalog: catalog, logger: logger),
                try ChecksDomain(
                    configuration, database: database, monitoring: monitoring, catalog: catalog, latestRollout: pipeline.latestRollout, logger: logger
                ),
                try BackupsDomain(configuration, database: database, monitoring: monitoring, catalog: catalog, logger: logger),
                levels,
                try OnCallDomain(configuration, database: database, monitoring: monitoring, catalog: catalog, logger: logger),
                MeetingDomain(database: database, monitoring: monitoring, catalog: catalog, flags: flags.flags),
                ClusterDomain(leases: leases, database: database, logger: logger),
                access,
            ]
            for domain in domains { try await domain.prepare() }
        } catch {
            try? await database.close()
            throw error
        }
    }

    public var flags: FlagService { flagsDomain.flags }
    /// Where samples are appended: scrapes, drift checks, and tests that bring their own.
    public let seriesHeads: SeriesHeads

    /// The router with every domain's routes, each in the access group of its level.
    public func router() -> Router<AlmanacRequestContext> {
        let service = accessDomain.service
        let clientKeys = ClientKeys(keys: configuration.clientKeys)
        let throttle = SignInThrottle(clock: configuration.clock)
        let router = Router(context: AlmanacRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: CurrentPathMiddleware())
        router.add(
            middleware: DatabaseOutageMiddleware(renderer: PageRenderer(templates: [:], navigation: domains.flatMap(\.navigation)), logger: logger))
        router.add(middleware: CallerMiddleware(service: service, clientKeys: clientKeys, throttle: throttle, logger: logger))
        let web = Web(
            access: Access(service: service, clientKeys: clientKeys, limiter: RateLimiter(rate: configuration.rateLimit, clock: configuration.clock)),
            navigation: domains.flatMap(\.navigation), maximumBodyBytes: configuration.maximumBodyBytes, clock: configuration.clock,
            changes: { [domains] from, to in
                var markers: [ChartMarker] = []
                for domain in domains { markers += try await domain.changes(from: from, to: to) }
                return markers.sorted { $0.time < $1.time }
            }, throttle: throttle)
        let site = RouteCollection(context: AlmanacRequestContext.self)
        SiteRoutes(
            access: service, cookies: SessionCookies(publicURL: configuration.publicURL), throttle: throttle,
            starts: SignInThrottle(allowance: 20, refillSeconds: 6, clock: configuration.clock), database: database,
            renderer: web.renderer(["login": SiteRoutes.loginTemplate, "home": HomePage.template, "search": SearchPage.template]),
            maximumBodyBytes: web.maximumBodyBytes,
            domains: domains, clock: configuration.clock, logger: logger
        )
        .add(to: web.access.groups(site))
        router.addRoutes(site)
        for domain in domains { router.addRoutes(domain.routes(web)) }
        return router
    }

    /// The HTTP application with every route and background service; `onRunning` gets the bound port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let watcher = ConfigWatcher(
            reloadables: domains.flatMap(\.reloadables), flags: flags, configPollSeconds: configuration.configPollSeconds,
            changePollSeconds: configuration.changePollSeconds, usageFlushSeconds: configuration.usageFlushSeconds, clock: configuration.clock,
            logger: logger)
        return Application(
            router: router(),
            // An event stream whose client stopped reading ends once a write has waited 5 s.
            server: .http1(configuration: .init(additionalChannelHandlers: [StalledStreamCloser(limit: .seconds(5))])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "almanac"),
            // Shutdown runs in reverse: the HTTP server stops, then the jobs, then the watcher saves counts, then the database closes.
            services: [DatabaseCloser(database: database), watcher] + domains.flatMap(\.jobs).map(leases.service),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: configuration.eventLoopThreads > 0
                ? .shared(MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)) : .singleton,
            logger: logger)
    }
}

extension AlmanacServer {
    /// Runs until SIGTERM or SIGINT. A part that does not stop within `shutdownSeconds` is
    /// cancelled, and one that ignores cancellation ends the process 5 s later: a replica must
    /// free its port and leases before an orchestrator's own deadline (Kubernetes kills at 30 s).
    public func serve(shutdownSeconds: Double = 20, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var group = ServiceGroupConfiguration(
            services: [.init(service: application(onRunning: onRunning))], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .milliseconds(Int64(shutdownSeconds * 1000))
        group.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: group).run()
    }
}

/// Headers every response carries: pages must not be framed or sniffed.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AlmanacRequestContext
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        return response
    }
}
