import AlmanacBackups
import AlmanacStorage
import Foundation

/// What pages and the API ask of backups: each one's state read now with its drill receipts,
/// and a drill asked for. The watcher job does the watching; this only reads and queues.
public struct BackupService: Sendable {
    public let files: ReloadingFiles<BackupFiles>
    let reader: BackupReader
    let receipts: ReceiptStore
    let clock: WallClock

    public init(files: ReloadingFiles<BackupFiles>, reader: BackupReader, receipts: ReceiptStore, clock: WallClock) {
        (self.files, self.reader, self.receipts, self.clock) = (files, reader, receipts, clock)
    }

    /// A backup, its state and its receipts (newest first, each with its id).
    public struct Entry: Sendable {
        public var backup: Backup
        public var status: BackupStatus
        public var receipts: [Receipt]
    }

    public enum Problem: Error, Sendable, CustomStringConvertible {
        case noDrill(String)
        public var description: String {
            switch self {
            case .noDrill(let name): "no backup named \(name) with a drill"
            }
        }
    }

    public func overview() async throws -> [Entry] {
        let all = try await receipts.receipts(limit: 1000)
        var entries: [Entry] = []
        for backup in files.current.backups {
            let status: BackupStatus
            // An unreadable copy is a failed reading shown with its reason, as the watcher records it.
            do { status = BackupStatus(backup: backup, copies: try await reader.copies(backup), now: clock.milliseconds()) } catch {
                status = BackupStatus(problem: error.description)
            }
            let mine = try all.filter { $0.backup == backup.name }.map { row in
                var receipt = try JSONDecoder().decode(Receipt.self, from: Data(row.record.utf8))
                receipt.id = row.id
                return receipt
            }
            entries.append(Entry(backup: backup, status: status, receipts: mine))
        }
        return entries
    }

    /// Queues a restore drill of `name` for the watcher's next round.
    public func requestDrill(_ name: String, by actor: String) async throws {
        guard files.current.backups.contains(where: { $0.name == name && $0.drill != nil }) else { throw Problem.noDrill(name) }
        try await receipts.request(backup: name, at: clock.milliseconds(), by: actor)
    }
}
