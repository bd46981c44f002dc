import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging

/// Flag ramps: the `ramp:` blocks of the flag files, moved by one job per cluster behind their
/// guards (SLO burn, alerts, guardrail metrics), with the API to hold, resume, revert or restart.
struct RampsDomain: Domain {
    let service: RampService
    let jobs: [ClusterJob]

    init(_ configuration: ServerConfiguration, flags: FlagsDomain, monitoring: MonitoringDomain, levels: SLODomain, logger: Logger) {
        service = RampService(flags: flags.flags)
        let runner = RampRunner(
            flags: flags.flags, slos: levels.service, alerts: monitoring.alerts, series: monitoring.series, monitoring: monitoring.config,
            externalURL: configuration.externalURL, logger: logger)
        jobs = [
            ClusterJob(
                "flag ramps",
                PeriodicJob("flag ramps", every: 5, clock: configuration.clock, logger: logger, failure: "cannot move flag ramps") { now in
                    try await runner.round(now: now)
                })
        ]
    }

    var reloadables: [any Reloadable] { [] }
    var navigation: [NavigationEntry] { [] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        RampRoutes(service: service, renderer: web.renderer([:]), maximumBodyBytes: web.maximumBodyBytes).add(to: web.access.groups(routes))
        return routes
    }
}

extension RampService.Problem: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownFlag, .noRamp: .notFound
        case .notNow: .conflict
        }
    }

    public var fieldName: String? {
        if case .notNow = self { return "action" }
        return nil
    }
}
