import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacSLO
import AlmanacStorage
import Hummingbird
import Logging
import NIOCore

/// Service levels: the SLOs of `slos/*.yaml`, their budgets and burn rates as a page and JSON,
/// and their burn-rate alerts, which the monitoring rules carry (no hand-written rule).
struct SLODomain: Domain {
    let files: ReloadingFiles<[SLO]>
    let maintenance: ReloadingFiles<[MaintenanceWindow]>
    let service: SLOService
    /// Incidents for the status page's notes.
    let incidents: IncidentService
    let clock: WallClock
    /// Where people reach the server (`--public-url`), for the feed's ids; else the request's host.
    let configuredURL: String?

    init(_ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        let knowledge = catalog.knowledge
        // Services are checked against the catalogue as it is when the SLOs load.
        let clock = configuration.clock
        configuredURL = configuration.publicURL
        self.clock = clock
        let files = try ReloadingFiles(configDirectory: configuration.configDirectory, folders: [SLOFile.folder], clock: clock, logger: logger) {
            root in
            try SLOService.load(configDirectory: root, catalog: knowledge.current.catalog)
        }
        let config = monitoring.config
        let store = monitoring.series
        let maintenance = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [MaintenanceFile.folder], clock: clock, logger: logger
        ) { root in try SLOService.loadMaintenance(configDirectory: root) }
        let service = SLOService(
            slos: { files.current }, windows: { maintenance.current }, clock: clock, source: { config.current.seriesSource(store: store) })
        monitoring.ruleSources.add { now in try await service.alerts(now: now) }
        // An open window holds notifications back as a silence does; its alerts are still recorded.
        monitoring.ruleSources.addSilences { now in maintenance.current.compactMap { $0.silence(at: now) } }
        self.maintenance = maintenance
        self.files = files
        self.service = service
        incidents = IncidentService(database: database, clock: clock)
    }

    var reloadables: [any Reloadable] { [files, maintenance] }

    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "SLOs", path: "/slos", group: .monitoring)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        let renderer = web.renderer(["slos": Self.template, "slo": SLOPages.template])
        SLOPages(service: service, renderer: renderer, changes: web.changes).add(to: groups)
        groups.viewers.get("/api/v1/slos") { _, _ in
            let now = clock.milliseconds()
            return try JSONResponse.encode(SLOList(evaluatedAt: now, slos: try await records(now: now)))
        }
        // The live status page: private like every page unless access.yaml lists /status as public.
        groups.viewers.get("/status") { _, _ in
            let html = try await service.statusPage(title: "Service status", incidents: try await incidents.statusNotes())
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
        // The same as a feed (private or public with /status: access.yaml lists both paths).
        groups.viewers.get("/status/feed.atom") { request, _ in
            let page = SessionCookies.siteURL(request, publicURL: configuredURL) + "/status"
            let feed = service.statusFeed(title: "Service status", pageURL: page, incidents: try await incidents.statusNotes())
            return Response(
                status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: feed)))
        }
        groups.viewers.get("/slos") { _, context in
            let records = try await records()
            let now = clock.milliseconds()
            let open = maintenance.current.filter { $0.opening(at: now) != nil }.map(\.name)
            let page = Page(
                table: SLOReport.table(records).html(id: "slos"), error: files.error ?? maintenance.error,
                count: records.count, windows: maintenance.current.count, open: open.joined(separator: ", "),
                names: records.map { Link(name: $0.name, path: "/slos/" + HTML.segment($0.name)) })
            return renderer.page("slos", title: "Service levels", actor: context.actor, context: page)
        }
        return routes
    }

    func records(now: Int64? = nil) async throws -> [SLORecord] {
        let now = now ?? clock.milliseconds()
        return try await service.statuses(now: now).map { SLORecord($0.slo, $0.evaluation, problem: $0.problem) }
    }

    struct Page {
        var table: String
        var error: String?
        var count: Int
        var windows: Int
        var open: String
        var names: [Link]
    }

    struct Link {
        var name, path: String
    }

    static let template = """
        <h1>Service levels</h1>{{#error}}<p class="errors" id="error">{{error}}</p>{{/error}}
        <p id="maintenance">{{windows}} maintenance windows in <code>maintenance/*.yaml</code>{{#open}}; open now: {{open}}{{/open}}.</p>
        <p>{{count}} SLOs from <code>slos/*.yaml</code>. The budget is the share of events the objective lets fail over the window;
        a burn rate of 1 spends it exactly in the window. 14.4× over 1 h and 5 min, or 6× over 6 h and 30 min, pages;
        1× over 3 d and 6 h opens a ticket (the SRE Workbook's multiwindow alerts, as the <code>ErrorBudgetBurn</code> alert).</p>
        {{{table}}}
        <p id="pages">Each SLO's page, with its budget's burn-down: {{#names}}<a href="{{path}}">{{name}}</a> {{/names}}</p>
        """
}
