import AlmanacConfig
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// The replicas sharing one database: the leases that make once-per-cluster work run once,
/// every replica's heartbeat, and the page and API that show who holds what.
struct ClusterDomain: Domain {
    let service: ClusterService
    let leases: ClusterLeases
    let logger: Logger

    init(leases: ClusterLeases, database: Database, logger: Logger) {
        self.leases = leases
        service = ClusterService(store: leases.store, identity: leases.identity, backend: database.backend, periodSeconds: leases.periodSeconds)
        self.logger = logger
    }

    var reloadables: [any Reloadable] { [] }
    var navigation: [NavigationEntry] { [] }
    var jobs: [ClusterJob] {
        let membership = Membership(
            store: leases.store, identity: leases.identity, periodSeconds: leases.periodSeconds, clock: leases.clock, logger: logger)
        return [ClusterJob("membership", membership, scope: .everyReplica)]
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        let renderer = web.renderer(["cluster": ClusterPage.template])
        groups.viewers.get("/api/v1/cluster") { _, _ in try JSONResponse.encode(try await service.status()) }
        groups.viewers.get("/cluster") { _, context in
            renderer.page(
                "cluster", title: "Cluster", actor: context.actor, context: ClusterPage(try await service.status(), admin: context.actor != nil))
        }
        return routes
    }
}

/// The cluster page: replicas alive, and each lease's holder.
struct ClusterPage {
    struct Row {
        var name, holder, since, expires: String
        var held: Bool
        var term: Int64
    }

    struct Member {
        var id, address, started, seen: String
        var me: Bool
    }

    var backend: String
    var leaseSeconds: String
    var replicas: [Member]
    var leases: [Row]

    init(_ status: ClusterService.Status, admin: Bool) {
        backend = status.backend == "postgres" ? "PostgreSQL" : "SQLite (one process)"
        leaseSeconds = DurationText.span(Int64(status.leaseSeconds * 1000))
        replicas = status.replicas.map {
            Member(
                id: $0.id, address: admin ? $0.address : "", started: DurationText.span(status.now - $0.startedAt) + " ago",
                seen: DurationText.span(status.now - $0.seenAt) + " ago", me: $0.id == status.replica)
        }
        leases = status.leases.map {
            Row(
                name: $0.name, holder: $0.holder ?? "nobody (free)", since: $0.since.map { DurationText.span(status.now - $0) + " ago" } ?? "",
                expires: $0.expires.map { "in " + DurationText.span($0 - status.now) } ?? "", held: $0.holder != nil, term: $0.term)
        }
    }

    static let template = """
        <h1>Cluster</h1>
        <p>Database: {{backend}}. Work done once per cluster runs under a lease of {{leaseSeconds}}; \
        when its holder stops renewing it, another replica takes it within two leases.</p>
        <h2>Replicas</h2>
        <table id="replicas"><tr><th>Replica</th><th>Address</th><th>Started</th><th>Last seen</th></tr>
        {{#replicas}}<tr><td>{{id}}{{#me}} (this one){{/me}}</td><td>{{address}}</td><td>{{started}}</td><td>{{seen}}</td></tr>{{/replicas}}</table>
        <h2>Leases</h2>
        <table id="leases"><tr><th>Work</th><th>Held by</th><th>Since</th><th>Ends unless renewed</th><th>Hand-overs</th></tr>
        {{#leases}}<tr{{^held}} class="free"{{/held}}><td>{{name}}</td><td>{{holder}}</td><td>{{since}}</td><td>{{expires}}</td>\
        <td>{{term}}</td></tr>{{/leases}}</table>
        """
}
