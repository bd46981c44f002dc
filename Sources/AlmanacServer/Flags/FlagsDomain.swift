import AlmanacCharts
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// Feature flags: the files under `flags/`, OFREP for the SDKs, the admin API, the pages, and
/// the evaluation counts on `/metrics`.
struct FlagsDomain: Domain {
    let flags: FlagService
    let metrics: ServerMetrics
    let jobs: [ClusterJob]
    let publicURL: String?

    init(_ configuration: ServerConfiguration, database: Database, metrics: ServerMetrics, logger: Logger) async throws {
        flags = try await FlagService(
            repository: ConfigRepository(root: configuration.configDirectory), environment: configuration.environment,
            store: SQLFlagStore(database: database), experiments: SQLExperimentStore(database: database), clock: configuration.clock,
            logger: logger)
        self.metrics = metrics
        publicURL = configuration.publicURL
        let flags = flags
        jobs = [
            // Each replica keeps its own change streams alive.
            ClusterJob(
                "change stream keep-alive",
                PeriodicJob("change stream keep-alive", every: 15, clock: configuration.clock, logger: logger, failure: "cannot ping change streams")
                {
                    _ in flags.changes.ping()
                }, scope: .everyReplica)
        ]
    }

    /// State and default-variant changes; pins reach one person and are not marked.
    func changes(from: Int64, to: Int64) async throws -> [ChartMarker] {
        try await flags.changes(from: from, to: to, limit: 500).map { entry in
            let what = [entry.before, entry.after].contains { $0 != nil } ? " (\(entry.before ?? "—") → \(entry.after ?? "—"))" : ""
            return ChartMarker(time: entry.at, kind: .flag, label: "flag \(entry.flagKey): \(entry.action)\(what) by \(entry.actor)")
        }
    }

    var reloadables: [any Reloadable] { [flags] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Flags", path: "/flags", group: .flags)] }

    func search(_ query: String) async throws -> [SearchHit] {
        flags.evaluator.effective.compactMap { key, flag in
            key.lowercased().contains(query) ? SearchHit(title: key, kind: "flag", path: "/flags/\(key)", detail: flag.owner ?? "") : nil
        }
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        OFREPRoutes(flags: flags, metrics: metrics, maximumBodyBytes: web.maximumBodyBytes, clock: web.clock, publicURL: publicURL).add(to: groups)
        OFREPStream(flags: flags).add(to: groups)
        FlagAdminRoutes(flags: flags, maximumBodyBytes: web.maximumBodyBytes).add(to: groups)
        FlagPages(flags: flags, renderer: web.renderer(FlagTemplates.all), maximumBodyBytes: web.maximumBodyBytes).add(to: groups)
        metrics.add(to: groups, flags: flags)
        return routes
    }
}

extension FlagService {
    /// A flag change is the flag's owning team's (`owner`, with or without Backstage's `group:`).
    static func teamResolver(_ flags: FlagService) -> ActionResolver {
        { _, context in
            let key = context.parameters.get("key") ?? ""
            let owner = flags.evaluator.effective[key]?.owner.map { $0.hasPrefix("group:") ? String($0.dropFirst(6)) : $0 }
            return .changeFlag(team: owner)
        }
    }
}
