import AlmanacBackups
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging

/// Backups described, their freshness watched, and proven by restore drills: `backups/*.yaml`,
/// the watcher job (once per cluster), the receipts, as pages and JSON.
struct BackupsDomain: Domain {
    let service: BackupService

    init(_ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        let knowledge = catalog.knowledge
        let files = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [BackupFile.folder], clock: configuration.clock, logger: logger
        ) { root in
            try BackupFiles.load(root, entities: Set(knowledge.current.catalog.entities.keys))
        }
        let reader = BackupReader()
        let receipts = ReceiptStore(database: database)
        service = BackupService(files: files, reader: reader, receipts: receipts, clock: configuration.clock)
        let watcher = BackupWatcher(
            backups: { files.current.backups }, reader: reader,
            drill: RestoreDrill(directory: RestoreDrill.places(dataDirectory: configuration.dataDirectory), reader: reader), receipts: receipts,
            heads: monitoring.heads, clock: configuration.clock, logger: logger)
        job = PeriodicJob(
            "backups", every: configuration.backupIntervalSeconds, clock: configuration.clock, logger: logger,
            failure: "backups not watched this round", interruptible: true, round: { try await watcher.round(now: $0) })
    }

    let job: PeriodicJob

    var reloadables: [any Reloadable] { [service.files] }
    var jobs: [ClusterJob] { [ClusterJob("backups", job)] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Backups", path: "/backups", group: .monitoring)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        BackupsPages(service: service, renderer: web.renderer(BackupsPages.templates)).add(to: groups)
        groups.viewers.get("/api/v1/backups") { _, _ in
            try JSONResponse.encode(BackupList(backups: try await service.overview().map(BackupRecord.init)))
        }
        groups.writers(.operate(team: nil)).post("/api/v1/backups/:name/drill") { _, context in
            try await service.requestDrill(try context.parameters.decoded("name"), by: context.actor ?? "admin")
            return try JSONResponse.encode(DrillQueued(queued: true), status: .accepted)
        }
        return routes
    }
}

/// A backup as the API and pages show it.
struct BackupRecord: Encodable {
    var name, entity, kind, file: String
    var line: Int
    var maxAgeSeconds: Double
    var status: BackupStatus
    var lastProven: Receipt?
    var receipts: [Receipt]

    init(_ entry: BackupService.Entry) {
        let backup = entry.backup
        name = backup.name
        entity = backup.entity.description
        kind = backup.kind
        file = backup.file
        line = backup.line
        maxAgeSeconds = Double(backup.maximumAge) / 1000
        status = entry.status
        receipts = entry.receipts
        lastProven = self.receipts.first { $0.passed }
    }
}

struct BackupList: Encodable { var backups: [BackupRecord] }
struct DrillQueued: Encodable { var queued: Bool }

extension BackupService.Problem: APIProblem {
    public var status: HTTPResponse.Status { .notFound }
    public var fieldName: String? { "name" }
}
