import Foundation

/// A PostgreSQL instance that lives for one drill: made with Debian's initdb in the drill's
/// place, listening only on a socket of its own, trusting the local user, with fsync off
/// (nothing in it outlives the drill). The server refuses to run as root, so when Almanac is
/// root initdb and pg_ctl run as the package's `postgres` user; the clients (createdb,
/// pg_restore, psql) run as Almanac, so they read the archive wherever it is.
struct ThrowawayPostgres: Sendable {
    let place: String
    static let user = "almanac_drill"
    static let port = "5432"

    var data: String { place + "/pgdata" }
    /// The socket's directory: a Unix socket path holds at most 107 bytes, and the data directory
    /// may be deep, so it is a short one named after the place.
    var socket: String { "/tmp/almanac-drill-" + RestoreDrill.shortName(place) }

    static func start(in place: String) async throws -> ThrowawayPostgres {
        let instance = ThrowawayPostgres(place: place)
        try FileManager.default.createDirectory(atPath: instance.socket, withIntermediateDirectories: true)
        if getuid() == 0 {
            let outcome = try await ProcessRunner.run(["chown", "-R", "postgres:postgres", place, instance.socket])
            guard outcome.succeeded else { throw BackupProblem("could not hand \(place) to the postgres user: \(outcome.errors)") }
        }
        try await instance.tool("initdb", ["-D", instance.data, "-A", "trust", "-U", user, "--no-sync"], doing: "initdb", server: true)
        try await instance.tool(
            "pg_ctl",
            [
                "-D", instance.data, "-l", place + "/server.log", "-w", "-o", "-c listen_addresses='' -k \(instance.socket) -p \(port) -c fsync=off",
                "start",
            ],
            doing: "starting PostgreSQL", server: true)
        try await instance.tool("createdb", ["-h", instance.socket, "-p", port, "-U", user, "restored"], doing: "createdb")
        return instance
    }

    func restore(_ archive: String) async throws {
        try await tool(
            "pg_restore",
            ["-h", socket, "-p", Self.port, "-U", Self.user, "-d", "restored", "--no-owner", "--no-privileges", "--exit-on-error", archive],
            doing: "pg_restore")
    }

    /// The first column of the first row, as psql prints it; nil when there is no row.
    func query(_ sql: String) async throws -> String? {
        let output = try await tool(
            "psql", ["-h", socket, "-p", Self.port, "-U", Self.user, "-d", "restored", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            doing: "the query")
        guard let line = output.split(separator: "\n").first else { return nil }
        return String(line.split(separator: "|", omittingEmptySubsequences: false).first ?? "")
    }

    /// Stops the instance and removes its socket directory; the problem, if that failed.
    func stop() async -> String? {
        var problem: String?
        do { try await tool("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], doing: "stopping PostgreSQL", server: true) } catch {
            problem = "\(error)"
        }
        do { try FileManager.default.removeItem(atPath: socket) } catch  where FileManager.default.fileExists(atPath: socket) {
            problem = (problem.map { $0 + "; " } ?? "") + "\(socket) could not be removed: \(error)"
        } catch {}
        return problem
    }

    @discardableResult
    func tool(_ name: String, _ arguments: [String], doing what: String, server: Bool = false) async throws -> String {
        let program = Self.binaries.map { $0 + "/" + name } ?? name
        let command = server && getuid() == 0 ? ["runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let outcome: ProcessRunner.Outcome
        do { outcome = try await ProcessRunner.run(command) } catch { throw BackupProblem("\(what): \(error)") }
        guard outcome.succeeded else {
            throw BackupProblem(
                "\(what) failed (exit \(outcome.status)): \(Restic.lastLines(outcome.errors.isEmpty ? outcome.output : outcome.errors))")
        }
        return outcome.output
    }

    /// Debian keeps the server's programs out of PATH, one directory per major version.
    static let binaries: String? = {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.compactMap(Int.init).max().map { "/usr/lib/postgresql/\($0)/bin" }
    }()
}
