import AlmanacConfig
import AlmanacRuntime
import AlmanacServer
import ArgumentParser
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server: OFREP evaluation, admin API, web pages and metrics.",
        discussion: """
            Admin tokens come from ALMANAC_ADMIN_TOKEN (one token, recorded as "admin") or \
            ALMANAC_ADMIN_TOKENS ("name:token,name:token"); without either, a token is generated \
            into DATA/admin-token. Client keys for evaluation come from ALMANAC_CLIENT_KEYS \
            ("name:key,..."); without them evaluation is open. Everything else is private until \
            someone signs in: with a token, or through the OpenID provider access.yaml names (its \
            client secret in the environment variable access.yaml says).
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Port for flagd's sync protocol (gRPC), read by flagd's in-process providers; none when left out (flagd uses 8015).")
    var syncPort: Int?

    @Option(help: "Address to bind; 127.0.0.1 unless you mean to expose it.")
    var host: String = "127.0.0.1"

    @Option(help: "Where people reach this server through a proxy (https://almanac.example.org): sign-in's redirect URI, Secure cookies.")
    var publicURL: String?

    @Option(help: "The environment this server belongs to (e.g. staging, production).")
    var environment: String?

    @Option(help: "Evaluations per second allowed per client; 0 turns limiting off.")
    var rateLimit: Double = 0

    @Option(help: "Threads serving HTTP; 0 uses one per core.")
    var threads: Int = 0

    @Option(help: "Seconds between checks of the flag files for changes; 0 reloads only on SIGHUP.")
    var reloadInterval: Double = 1

    @Option(help: "Seconds between evaluations of the alert rules.")
    var ruleInterval: Double = 15

    @Option(help: "Longest pause, in seconds, between retries of an undelivered notification.")
    var notificationBackoff: Double = 60

    @Option(help: "Seconds between rollups of raw samples (and drops of what retention no longer keeps).")
    var compactionInterval: Double = 300

    @Option(help: "Seconds between readings of the backups (and starts of the restore drills that are due).")
    var backupInterval: Double = 60

    @Option(help: "Seconds between checks for finished days whose costs are not yet stored as series.")
    var costInterval: Double = 3600

    @Option(help: "Seconds a rollout lock outlives a server that stopped renewing it (crashed).")
    var rolloutLease: Double = 60

    @Option(help: "Seconds a replica's hold on once-per-cluster work (scraping, rules, notifications) outlives its last renewal.")
    var lease: Double = 15

    @Option(help: "Seconds between checks of which revision each host runs.")
    var driftInterval: Double = 60

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Tests only (ALMANAC_TEST_MODE=1): the clock runs this many times faster than the wall clock from --clock-start.")
    var clockSpeed: Double?

    @Option(help: "Tests only: when (seconds since 1970) the fast clock starts from the wall clock's time; now when left out.")
    var clockStart: Double?

    /// The wall clock, or in test mode one that runs faster, so scenarios of minutes (burn-rate
    /// windows, escalation timeouts) run against the real binary in seconds.
    func clock(environment: [String: String], logger: Logger) throws -> WallClock {
        guard clockSpeed != nil || clockStart != nil else { return .system }
        guard environment["ALMANAC_TEST_MODE"] == "1" else {
            throw ValidationError("--clock-speed and --clock-start are for tests and need ALMANAC_TEST_MODE=1 in the environment")
        }
        let speed = clockSpeed ?? 1
        guard speed > 0, speed <= 1000 else { throw ValidationError("--clock-speed must be above 0 and at most 1000") }
        let start = clockStart.map { Int64($0 * 1000) } ?? WallClock.system.milliseconds()
        logger.warning("test mode: the clock runs faster than the wall clock", metadata: ["speed": "\(speed)", "start_ms": "\(start)"])
        return .scaled(from: start, speed: speed)
    }

    func run() async throws {
        var logger = Logger(label: "almanac")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        // Commands the server runs (pipeline steps, checks and recoveries) inherit these: what
        // they leave running (the example's local hosts) can end with the server that started
        // it, and a command can name the config repository's scripts wherever the server runs.
        setenv("ALMANAC_PID", String(getpid()), 1)
        setenv("ALMANAC_CONFIG", URL(fileURLWithPath: common.config).standardizedFileURL.path, 1)
        var configuration = ServerConfiguration(
            configDirectory: common.config, dataDirectory: common.data, databaseURL: common.database)
        configuration.host = host
        configuration.port = port
        configuration.syncPort = syncPort
        configuration.environment = environment
        configuration.rateLimit = rateLimit
        configuration.configPollSeconds = reloadInterval
        configuration.eventLoopThreads = threads
        configuration.ruleIntervalSeconds = ruleInterval
        configuration.notificationBackoffSeconds = notificationBackoff
        configuration.compactionIntervalSeconds = compactionInterval
        configuration.costIntervalSeconds = costInterval
        configuration.backupIntervalSeconds = backupInterval
        configuration.rolloutLeaseSeconds = rolloutLease
        configuration.leaseSeconds = lease
        configuration.driftIntervalSeconds = driftInterval
        let environmentVariables = ProcessInfo.processInfo.environment
        configuration.clock = try clock(environment: environmentVariables, logger: logger)
        configuration.environmentVariables = environmentVariables
        configuration.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        configuration.clientKeys = Credentials.table(environmentVariables["ALMANAC_CLIENT_KEYS"])
        configuration.adminTokens = try Credentials.adminTokens(environment: environmentVariables, dataDirectory: common.data, logger: logger)
        let server: AlmanacServer
        do {
            server = try await AlmanacServer(configuration: configuration, logger: logger)
        } catch let errors as ConfigErrors {
            throw ValidationError("the config files have errors:\n\(errors)")
        }
        let announcer = logger
        try await server.serve { port in
            announcer.notice("almanac is serving", metadata: ["url": "http://\(host):\(port)/"])
        }
    }
}

/// Reads tokens and keys without ever logging them.
enum Credentials {
    /// Parses `name:secret,name:secret` into secret → name.
    static func table(_ text: String?) -> [String: String] {
        var out: [String: String] = [:]
        for entry in (text ?? "").split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, !parts[1].isEmpty { out[parts[1]] = parts[0] }
        }
        return out
    }

    static func adminTokens(environment: [String: String], dataDirectory: String, logger: Logger) throws -> [String: String] {
        var tokens = table(environment["ALMANAC_ADMIN_TOKENS"])
        if let single = environment["ALMANAC_ADMIN_TOKEN"], !single.isEmpty { tokens[single] = "admin" }
        if !tokens.isEmpty { return tokens }
        let path = dataDirectory + "/admin-token"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            logger.notice("admin token read from file", metadata: ["path": "\(path)"])
            return [existing: "admin"]
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexadecimal
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
        logger.notice("generated an admin token; read it from the file to sign in", metadata: ["path": "\(path)"])
        return [token: "admin"]
    }
}
