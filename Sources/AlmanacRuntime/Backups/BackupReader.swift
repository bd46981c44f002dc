import AlmanacBackups
import Foundation

/// Reads what copies a backup has: the files of its directory (newest first, by modification
/// time), or restic's snapshots with the size of the two newest.
public struct BackupReader: Sendable {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }

    public func copies(_ backup: Backup) async throws(BackupProblem) -> [BackupCopy] {
        switch backup.source {
        case .postgresDump(let directory, let pattern), .files(let directory, let pattern):
            return try Self.files(in: directory, matching: pattern)
        case .restic(let repository, let variable):
            let restic = try Restic(repository: repository, passwordVariable: variable, environment: environment)
            let listing = try await restic.run(["snapshots", "--json"])
            var copies: [BackupCopy]
            do { copies = try ResticSnapshots.parse(listing) } catch {
                throw BackupProblem("restic snapshots gave JSON that could not be read: \(error)")
            }
            copies.sort { $0.time > $1.time }
            for index in copies.indices.prefix(2) {
                let stats = try await restic.run(["stats", copies[index].name, "--json"])
                guard let bytes = Restic.totalSize(stats) else { throw BackupProblem("restic stats gave JSON that could not be read") }
                copies[index].bytes = bytes
            }
            return copies
        }
    }

    /// The copies a directory holds. A copy that matches but cannot be read (a link to nowhere,
    /// a directory, a file without read permission) makes the reading fail with its name: left
    /// out, an older copy would pass for the newest and the backup would look fine.
    static func files(in directory: String, matching pattern: String) throws(BackupProblem) -> [BackupCopy] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw BackupProblem("\(directory): cannot be listed (\(error))")
        }
        var copies: [BackupCopy] = []
        for name in names.sorted() where fnmatch(pattern, name, 0) == 0 {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { throw BackupProblem("\(path): cannot be read (\(String(cString: strerror(errno))))") }
            guard info.st_mode & S_IFMT == S_IFREG else { throw BackupProblem("\(path): is not a regular file") }
            guard access(path, R_OK) == 0 else { throw BackupProblem("\(path): cannot be read (\(String(cString: strerror(errno))))") }
            let modified = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
            copies.append(BackupCopy(name: name, time: modified, bytes: Int64(info.st_size)))
        }
        return copies.sorted { $0.time > $1.time }
    }
}

/// Why a backup's state or a drill could not be had, in words.
public struct BackupProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// restic, its repository and password given through its own environment variables (the
/// password never on a command line).
struct Restic: Sendable {
    let repository: String
    let password: String

    init(repository: String, passwordVariable: String, environment: [String: String]) throws(BackupProblem) {
        guard let password = environment[passwordVariable], !password.isEmpty else {
            throw BackupProblem("the environment variable \(passwordVariable) (the restic password) is not set")
        }
        self.repository = repository
        self.password = password
    }

    func run(_ arguments: [String]) async throws(BackupProblem) -> String {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try await ProcessRunner.run(
                ["restic", "--no-cache", "--quiet"] + arguments, environment: ["RESTIC_REPOSITORY": repository, "RESTIC_PASSWORD": password])
        } catch {
            throw BackupProblem("restic could not be run: \(error)")
        }
        guard outcome.succeeded else {
            throw BackupProblem("restic \(arguments.first ?? "") failed (exit \(outcome.status)): \(Self.lastLines(outcome.errors + outcome.output))")
        }
        return outcome.output
    }

    static func totalSize(_ json: String) -> Int64? {
        struct Stats: Decodable {
            var totalSize: Int64
            enum CodingKeys: String, CodingKey { case totalSize = "total_size" }
        }
        return try? JSONDecoder().decode(Stats.self, from: Data(json.utf8)).totalSize
    }

    static func lastLines(_ text: String, count: Int = 6) -> String {
        text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}
