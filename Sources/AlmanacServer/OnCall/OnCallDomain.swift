import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging
import NIOCore

/// On call: the rotations of `oncall/*.yaml`, who holds each layer now, the coming weeks with
/// their gaps, and an iCalendar feed per rotation and per person.
struct OnCallDomain: Domain {
    let files: ReloadingFiles<OnCallFiles>
    let escalations: EscalationService
    let incidents: IncidentService
    let links: CalendarLinks
    let jobs: [ClusterJob]
    let clock: WallClock

    init(_ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        let knowledge = catalog.knowledge
        let files = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [RotationFile.folder], clock: configuration.clock, logger: logger
        ) { root in
            try OnCallFiles.load(configDirectory: root, catalog: knowledge.current.catalog)
        }
        let store = SQLEscalationStore(database: database)
        self.files = files
        escalations = EscalationService(files: files, store: store, clock: configuration.clock)
        let incidents = IncidentService(database: database, clock: configuration.clock)
        self.incidents = incidents
        clock = configuration.clock
        links = CalendarLinks(database: database, clock: configuration.clock)
        let runner = EscalationRunner(
            files: files, alerts: monitoring.alerts, store: store, monitoring: monitoring.config, externalURL: configuration.externalURL,
            incidents: incidents, logger: logger)
        jobs = [
            ClusterJob(
                "escalations",
                PeriodicJob(
                    "escalations", every: configuration.escalationIntervalSeconds, clock: configuration.clock, logger: logger,
                    failure: "cannot escalate this round"
                ) { [runner] now in try await runner.round(now: now) })
        ]
    }

    var reloadables: [any Reloadable] { [files] }
    var navigation: [NavigationEntry] {
        [NavigationEntry(title: "On call", path: "/oncall", group: .people), NavigationEntry(title: "Incidents", path: "/incidents", group: .people)]
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        let renderer = web.renderer(["oncall": OnCallPage.template])
        EscalationRoutes(service: escalations, renderer: web.renderer(EscalationRoutes.templates)).add(to: groups)
        IncidentRoutes(
            service: incidents, renderer: web.renderer(IncidentRoutes.templates), changes: web.changes, maximumBodyBytes: web.maximumBodyBytes
        ).add(to: groups)
        groups.viewers.get("/oncall") { _, context in
            let recent = try await escalations.recent()
            let page = OnCallPage(
                files.current, escalations: recent.map(\.escalation), active: recent.filter(\.active).map(\.escalation),
                links: try await links.links(), actor: context.actor, now: clock.milliseconds(), error: files.error)
            return renderer.page("oncall", title: "On call", actor: context.actor, context: page)
        }
        // The button on /oncall: the person on call stops the paging without the message's link.
        groups.writers(.operate(team: nil)).post("/oncall/escalations/:id/ack") { _, context in
            _ = try await escalations.acknowledge(id: try context.parameters.require("id"), by: context.actor ?? "operator")
            return PageRenderer.redirect("/oncall")
        }
        groups.viewers.get("/api/v1/oncall") { _, _ in
            let now = clock.milliseconds()
            return try JSONResponse.encode(OnCallPage.Listing(at: now, onCall: OnCallPage(files.current, now: now, error: nil).now))
        }
        CalendarRoutes(files: files, links: links, throttle: web.throttle, renderer: web.renderer(CalendarRoutes.templates), clock: clock)
            .add(to: groups)
        return routes
    }
}
