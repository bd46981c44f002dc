import AlmanacBackups
import Crypto
import Foundation

/// A restore drill: the newest copy restored into a throwaway place under the data directory
/// (a PostgreSQL instance made with initdb for a dump, a directory for restic and plain files),
/// the file's sanity checks run against it, a receipt written, and the place removed whatever
/// happened. A drill killed halfway leaves its place behind; `sweep` removes it at the next start.
public struct RestoreDrill: Sendable {
    let directory: String
    let reader: BackupReader
    let environment: [String: String]

    /// Where a data directory's drills put their throwaway places: under the system's temporary
    /// directory (the PostgreSQL user must reach them, and a data directory may sit where it
    /// cannot), named after the data directory so the next start finds what a killed drill left.
    public static func places(dataDirectory: String) -> String {
        FileManager.default.temporaryDirectory.path + "/almanac-drills-" + shortName(URL(fileURLWithPath: dataDirectory).standardizedFileURL.path)
    }

    /// A short, stable name for a path (FNV-1a in base 36), for places whose own path is too long.
    static func shortName(_ path: String) -> String {
        String(path.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 36)
    }

    /// `directory` is where throwaway places go (`places(dataDirectory:)`).
    public init(directory: String, reader: BackupReader, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.reader = reader
        self.environment = environment
    }

    public func run(_ backup: Backup, now: Int64) async -> Receipt {
        var receipt = Receipt(backup: backup.name, entity: backup.entity.description, startedAt: now, copy: nil)
        guard let drill = backup.drill else {
            receipt.failure = "the backup has no drill"
            return receipt
        }
        let place = directory + "/\(backup.name)-\(now)"
        // Readable by the PostgreSQL user when Almanac is root; nobody else's business otherwise.
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            receipt.failure = "\(directory) could not be made: \(error)"
            return receipt
        }
        do {
            let copies = try await reader.copies(backup)
            guard let newest = copies.first else { throw BackupProblem("there is no copy to restore") }
            receipt.copy = newest
            receipt.recoveryPointSeconds = Double(now - newest.time) / 1000
            try FileManager.default.createDirectory(atPath: place, withIntermediateDirectories: true)
            let started = ContinuousClock.now
            receipt.outcomes = try await withTimeout(drill.timeout) {
                try await restore(backup, copy: newest, drill: drill, into: place)
            }
            receipt.restoreSeconds = (ContinuousClock.now - started) / .seconds(1)
        } catch let problem as BackupProblem {
            receipt.failure = problem.description
        } catch let timeout as CheckTimeout {
            receipt.failure = "the restore \(timeout)"
        } catch {
            receipt.failure = "\(error)"
        }
        // Removed even when the drill was cancelled: the clean-up runs outside the cancelled task.
        if let problem = await Task(operation: { await Self.remove(place) }).value {
            receipt.outcomes.append(.init(check: "cleanup", passed: false, detail: problem))
        }
        return receipt
    }

    func restore(_ backup: Backup, copy: BackupCopy, drill: Drill, into place: String) async throws -> [Receipt.Outcome] {
        switch backup.source {
        case .postgresDump(let directory, _):
            let instance = try await ThrowawayPostgres.start(in: place)
            do {
                try await instance.restore(directory + "/" + copy.name)
                var outcomes: [Receipt.Outcome] = []
                for query in drill.queries { outcomes.append(query.judge(try await instance.query(query.sql))) }
                if let problem = await instance.stop() { outcomes.append(.init(check: "cleanup", passed: false, detail: problem)) }
                return outcomes
            } catch {
                _ = await Task(operation: { await instance.stop() }).value
                throw error
            }
        case .restic(let repository, let variable):
            let restic = try Restic(repository: repository, passwordVariable: variable, environment: environment)
            _ = try await restic.run(["restore", copy.name, "--target", place + "/tree"])
            return Self.judge(drill.files, in: place + "/tree")
        case .files(let directory, _):
            let source = directory + "/" + copy.name
            try FileManager.default.createDirectory(atPath: place + "/tree", withIntermediateDirectories: true)
            if [".tar", ".tar.gz", ".tgz"].contains(where: copy.name.hasSuffix) {
                let outcome = try await ProcessRunner.run(["tar", "-xf", source, "-C", place + "/tree"])
                guard outcome.succeeded else { throw BackupProblem("tar could not unpack \(copy.name): \(Restic.lastLines(outcome.errors))") }
            } else {
                try FileManager.default.copyItem(atPath: source, toPath: place + "/tree/" + copy.name)
            }
            return Self.judge(drill.files, in: place + "/tree")
        }
    }

    static func judge(_ checks: [Drill.FileCheck], in tree: String) -> [Receipt.Outcome] {
        checks.map { check in
            let name = "file: \(check.path)"
            let path = tree + "/" + check.path
            guard let handle = FileHandle(forReadingAtPath: path) else { return .init(check: name, passed: false, detail: "missing") }
            defer { try? handle.close() }
            var hasher = SHA256()
            var bytes: Int64 = 0
            // Read in blocks: a restored file may be large. A read that fails fails the check.
            do {
                while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
                    hasher.update(data: block)
                    bytes += Int64(block.count)
                }
            } catch {
                return .init(check: name, passed: false, detail: "unreadable after \(bytes) bytes: \(error)")
            }
            let digest = hasher.finalize().hexadecimal
            if let sha = check.sha256, sha != digest { return .init(check: name, passed: false, detail: "sha256 \(digest), expected \(sha)") }
            if let minimum = check.minimumBytes, bytes < minimum {
                return .init(check: name, passed: false, detail: "\(bytes) bytes, fewer than \(minimum)")
            }
            return .init(check: name, passed: true, detail: "\(bytes) bytes, sha256 \(digest.prefix(12))…")
        }
    }

    /// Removes a throwaway place, stopping a PostgreSQL instance left running in it first; the
    /// problem, if something stayed behind.
    static func remove(_ place: String) async -> String? {
        var problem: String?
        let instance = ThrowawayPostgres(place: place)
        if FileManager.default.fileExists(atPath: place + "/pgdata/postmaster.pid") {
            problem = await instance.stop()
        } else if FileManager.default.fileExists(atPath: instance.socket) {
            do { try FileManager.default.removeItem(atPath: instance.socket) } catch { problem = "\(instance.socket): \(error)" }
        }
        guard FileManager.default.fileExists(atPath: place) else { return problem }
        do { try FileManager.default.removeItem(atPath: place) } catch { problem = (problem.map { $0 + "; " } ?? "") + "\(place): \(error)" }
        return problem
    }

    /// Removes what drills killed halfway left behind; returns what it removed and what it could not.
    public func sweep() async -> (removed: [String], problems: [String]) {
        guard FileManager.default.fileExists(atPath: directory) else { return ([], []) }
        let left: [String]
        do { left = try FileManager.default.contentsOfDirectory(atPath: directory) } catch { return ([], ["\(directory): \(error)"]) }
        var problems: [String] = []
        for name in left { if let problem = await Self.remove(directory + "/" + name) { problems.append(problem) } }
        return (left, problems)
    }
}
