import AlmanacBackups
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Watches every backup: each round reads its copies (age, size, change in size) into series,
/// and runs the drills that are due or asked for, one at a time, keeping their receipts.
/// Series: `almanac_backup_age_seconds`, `almanac_backup_size_bytes`,
/// `almanac_backup_size_change_ratio`, `almanac_backup_readable` (0 when the state cannot be
/// read), `almanac_drill_passed` (the last drill), `almanac_drill_restore_seconds`,
/// `almanac_drill_recovery_point_seconds` and `almanac_drill_age_seconds` (since the last drill
/// that passed, or since watching began when none has).
public actor BackupWatcher {
    let backups: @Sendable () -> [Backup]
    let reader: BackupReader
    let drill: RestoreDrill
    let receipts: ReceiptStore
    let heads: SeriesHeads
    let logger: Logger
    private var statuses: [String: BackupStatus] = [:]
    private let watchingSince: Int64
    private var swept = false

    public init(
        backups: @escaping @Sendable () -> [Backup], reader: BackupReader, drill: RestoreDrill, receipts: ReceiptStore, heads: SeriesHeads,
        clock: WallClock, logger: Logger
    ) {
        self.backups = backups
        self.reader = reader
        self.drill = drill
        self.receipts = receipts
        self.heads = heads
        self.watchingSince = clock.milliseconds()
        self.logger = logger
    }

    public func status(_ name: String) -> BackupStatus? { statuses[name] }

    /// What a killed drill left is removed before the first round runs a drill of its own.
    private func sweepOnce() async {
        guard !swept else { return }
        swept = true
        let result = await drill.sweep()
        if !result.removed.isEmpty { logger.notice("removed what interrupted drills left", metadata: ["places": "\(result.removed)"]) }
        for problem in result.problems { logger.error("an interrupted drill's place could not be removed", metadata: ["problem": "\(problem)"]) }
    }

    /// One round of `PeriodicJob`, interruptible: a drill may take an hour, and stopping Almanac
    /// cancels it (its place is still removed).
    public func round(now: Int64) async throws {
        await sweepOnce()
        let current = backups()
        let asked = Set(try await receipts.takeRequests())
        let latest = try await receipts.receipts(limit: 1000)
        for backup in current {
            let labels = [Label("backup", backup.name), Label("entity", backup.entity.description)]
            var samples: [(name: String, labels: [Label], sample: Sample)] = []
            let status: BackupStatus
            do { status = BackupStatus(backup: backup, copies: try await reader.copies(backup), now: now) } catch {
                status = BackupStatus(problem: error.description)
            }
            statuses[backup.name] = status
            samples.append(("almanac_backup_readable", labels, Sample(timestamp: now, value: status.problem == nil ? 1 : 0)))
            if let age = status.ageSeconds { samples.append(("almanac_backup_age_seconds", labels, Sample(timestamp: now, value: age))) }
            if let bytes = status.newest?.bytes {
                samples.append(("almanac_backup_size_bytes", labels, Sample(timestamp: now, value: Double(bytes))))
            }
            if let change = status.sizeChange { samples.append(("almanac_backup_size_change_ratio", labels, Sample(timestamp: now, value: change))) }
            let mine = latest.filter { $0.backup == backup.name }
            if let drillPlan = backup.drill, asked.contains(backup.name) || (mine.first.map { now - $0.startedAt >= drillPlan.every } ?? true) {
                let receipt = await drill.run(backup, now: now)
                // Interrupted by a shutdown, the drill proved nothing either way: no receipt.
                try Task.checkCancellation()
                let record = String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self)
                _ = try await receipts.save(backup: backup.name, startedAt: now, passed: receipt.passed, record: record)
                logger.notice(
                    "restore drill", metadata: ["backup": "\(backup.name)", "passed": "\(receipt.passed)", "failure": "\(receipt.failure ?? "")"])
                samples.append(("almanac_drill_passed", labels, Sample(timestamp: now, value: receipt.passed ? 1 : 0)))
                if let seconds = receipt.restoreSeconds {
                    samples.append(("almanac_drill_restore_seconds", labels, Sample(timestamp: now, value: seconds)))
                }
                if let point = receipt.recoveryPointSeconds {
                    samples.append(("almanac_drill_recovery_point_seconds", labels, Sample(timestamp: now, value: point)))
                }
            }
            let proven = receipt(after: now, passedIn: try await receipts.receipts(backup: backup.name, limit: 200))
            samples.append(("almanac_drill_age_seconds", labels, Sample(timestamp: now, value: Double(now - (proven ?? watchingSince)) / 1000)))
            _ = try await heads.append(samples)
        }
    }

    /// When the last drill that passed started.
    func receipt(after now: Int64, passedIn rows: [ReceiptStore.Row]) -> Int64? { rows.first { $0.passed }?.startedAt }
}
