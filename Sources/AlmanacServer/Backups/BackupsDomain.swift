import AlmanacBackups
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird
import Logging

/// Backups described, their freshness watched, and proven by restore drills: `backups/*.yaml`,
/// the watcher job (once per cluster), the receipts, as pages and JSON.
struct BackupsDomain: Domain {
    let files: ReloadingFiles<BackupFiles>
    let reader: BackupReader
    let receipts: ReceiptStore
    let watcher: BackupWatcher

    init(_ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, catalog: CatalogDomain, logger: Logger) throws {
        let knowledge = catalog.knowledge
        let files = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [BackupFile.folder], clock: configuration.clock, logger: logger
        ) { root in
            try BackupFiles.load(root, entities: Set(knowledge.current.catalog.entities.keys))
        }
        self.files = files
        reader = BackupReader()
        receipts = ReceiptStore(database: database)
        watcher = BackupWatcher(
            backups: { files.current.backups }, reader: reader,
            drill: RestoreDrill(directory: RestoreDrill.places(dataDirectory: configuration.dataDirectory), reader: reader), receipts: receipts,
            heads: monitoring.heads, clock: configuration.clock, logger: logger)
        let watcher = watcher
        job = PeriodicJob(
            "backups", every: configuration.backupIntervalSeconds, clock: configuration.clock, logger: logger,
            failure: "backups not watched this round", interruptible: true, round: { try await watcher.round(now: $0) })
        clock = configuration.clock
    }

    let job: PeriodicJob
    let clock: WallClock

    var reloadables: [any Reloadable] { [files] }
    var jobs: [ClusterJob] { [ClusterJob("backups", job)] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Backups", path: "/backups")] }

    /// Each backup with its state read now and its receipts.
    func overview() async throws -> [BackupRecord] {
        let all = try await receipts.receipts(limit: 1000)
        var records: [BackupRecord] = []
        for backup in files.current.backups {
            let status: BackupStatus
            do { status = BackupStatus(backup: backup, copies: try await reader.copies(backup), now: clock.milliseconds()) } catch {
                status = BackupStatus(problem: error.description)
            }
            let mine = try all.filter { $0.backup == backup.name }.map { try JSONDecoder().decode(Receipt.self, from: Data($0.record.utf8)) }
            records.append(BackupRecord(backup, status: status, receipts: mine, ids: all.filter { $0.backup == backup.name }.map(\.id)))
        }
        return records
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        BackupsPages(domain: self, renderer: web.renderer(BackupsPages.templates)).add(to: groups)
        groups.viewers.get("/api/v1/backups") { _, _ in try JSONResponse.encode(["backups": try await overview()]) }
        groups.writers(.operate(team: nil)).post("/api/v1/backups/:name/drill") { _, context in
            let name = try context.parameters.decoded("name")
            guard files.current.backups.contains(where: { $0.name == name && $0.drill != nil }) else {
                return JSONResponse.error(.notFound, "no backup named \(name) with a drill", field: "name")
            }
            try await receipts.request(backup: name, at: clock.milliseconds(), by: context.actor ?? "admin")
            return JSONResponse.make(.accepted, ["queued": .bool(true)])
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

    init(_ backup: Backup, status: BackupStatus, receipts: [Receipt], ids: [Int64]) {
        name = backup.name
        entity = backup.entity.description
        kind = backup.kind
        file = backup.file
        line = backup.line
        maxAgeSeconds = Double(backup.maximumAge) / 1000
        self.status = status
        self.receipts = zip(receipts, ids).map { receipt, id in
            var copy = receipt
            copy.id = id
            return copy
        }
        lastProven = self.receipts.first { $0.passed }
    }
}
