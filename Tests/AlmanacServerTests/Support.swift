import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Clocks
import Foundation
import Logging
import Testing

/// The two storage backends every storage-touching test runs on.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// The database URL for a fresh database (nil means SQLite in the data directory). Without
    /// a PostgreSQL server (`ALMANAC_TEST_POSTGRES_URL`, which the test command sets) the
    /// PostgreSQL case fails: it never passes by returning early.
    func database() async throws -> String? {
        switch self {
        case .sqlite: return nil
        case .postgres: return try await TestPostgres.freshDatabase()
        }
    }
}

extension Backend {
    /// Runs `body` on a fresh database of this backend, closing it either way.
    @discardableResult
    func withDatabase<R>(_ body: (Database) async throws -> R) async throws -> R {
        let url = try await database()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try await Database.open(url: url, dataDirectory: try TestServer.temporaryDirectory(), logger: logger)
        do {
            let result = try await body(database)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}

/// Flags the server tests share.
enum Fixture {
    static let flags = """
        flags:
          banner:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
            targeting:
              if: [{"==": [{var: plan}, pro]}, on, null]
          headline:
            state: ENABLED
            variants: {red: red, blue: blue}
            defaultVariant: red
          ratio:
            state: ENABLED
            variants: {low: 1, high: 2.5}
            defaultVariant: low
          limits:
            state: ENABLED
            variants: {small: {n: 1}, big: {n: 9}}
            defaultVariant: small
          retired:
            state: DISABLED
            variants: {on: true, off: false}
            defaultVariant: on
        """

    static let admin = ["Authorization": "Bearer admin-secret", "Content-Type": "application/json"]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

/// Polls `condition` every 100 ms for up to `seconds`: generous, since the suite runs its servers
/// side by side on a CI machine's two cores, and a condition that holds returns at once.
func waitFor(seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// JSON numbers as Foundation parses them (an integer-valued double may come back as an Int).
func number(_ value: Any?) -> Double? {
    (value as? NSNumber)?.doubleValue
}

/// Starts a rollout of `environment` to `revision` through the API and returns it once it
/// stopped moving (10 s at most), as the API shows it.
func rollOut(_ server: TestServer, _ environment: String, to revision: String) async throws -> [String: Any] {
    let started = try await HTTP.send(
        "POST", server.baseURL + "/api/v1/pipeline/\(environment)/rollouts", headers: Fixture.admin, body: "{\"revision\": \"\(revision)\"}")
    #expect(started.status == 202, "\(started.body)")
    let id = try #require(try Fixture.json(started.body)["id"] as? String)
    var rollout: [String: Any] = [:]
    _ = try await waitFor(seconds: 10) {
        rollout = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/rollouts/\(id)", headers: Fixture.admin).body)
        return ["succeeded", "rolled-back", "aborted", "interrupted"].contains(rollout["phase"] as? String ?? "")
    }
    return rollout
}

/// A clock a test drives for a server: `wall` goes to `ServerConfiguration.clock`, and
/// `advance` moves time in steps, giving the server's rounds a moment of real time between
/// steps to do their I/O, until a condition holds. Minutes of a scenario pass without a wait.
struct DrivenClock: Sendable {
    let clock = TestClock<Duration>()
    let wall: WallClock

    init(from start: Int64 = WallClock.system.milliseconds()) {
        wall = .following(clock, from: start)
    }

    /// Advances by `step` until `condition` holds or `limit` of the clock's time passed; true
    /// when it held.
    @discardableResult
    func advance(
        by step: Duration = .milliseconds(100), upTo limit: Duration, until condition: () async throws -> Bool = { false }
    ) async throws -> Bool {
        var passed = Duration.zero
        while passed < limit {
            if try await condition() { return true }
            await clock.advance(by: step)
            passed += step
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }
}
