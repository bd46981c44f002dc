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
                files.current, escalations: recent.map(\.escalation), active: recent.filter(\.active).map(\.escalation), actor: context.actor,
                now: clock.milliseconds(), error: files.error)
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
        groups.viewers.get("/oncall/:rotation/calendar.ics") { _, context in
            let name = try context.parameters.require("rotation")
            guard let rotation = files.current.rotations.first(where: { $0.name == name }) else {
                throw HTTPError(.notFound, message: "no rotation named \(name)")
            }
            return calendar("On call: \(name)", shifts(rotation, person: nil))
        }
        groups.viewers.get("/oncall/people/:person/calendar.ics") { _, context in
            let person = try context.parameters.require("person")
            let all = files.current.rotations.flatMap { shifts($0, person: person) }
            guard !all.isEmpty else { throw HTTPError(.notFound, message: "\(person) has no shift in the coming weeks") }
            return calendar("On call: \(person)", all.sorted { $0.span < $1.span })
        }
        return routes
    }

    /// The last four weeks and the coming twelve: enough for a calendar to show what was and will be.
    private func shifts(_ rotation: Rotation, person: String?) -> [Shift] {
        let now = clock.milliseconds()
        let week: Int64 = 7 * 86_400_000
        return rotation.shifts(from: now - 4 * week, to: now + 12 * week, available: files.current.available(in: rotation))
            .filter { person == nil || $0.person == person }
    }

    private func calendar(_ name: String, _ shifts: [Shift]) -> Response {
        let text = ICalendar.feed(name: name, shifts: shifts, host: "almanac", now: clock.milliseconds())
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
