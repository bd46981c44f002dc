import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import SQLKit
import Testing

/// Replicas started at the same instant on an empty PostgreSQL database all come up, and a
/// database that cannot be used says why in words a person can act on, without the password.
@Suite struct DatabaseStartTests {
    static var logger: Logger {
        var logger = Logger(label: "almanac-test")
        logger.logLevel = .critical
        return logger
    }

    /// Each replica's first statement waits until all are connected, so they reach the empty
    /// schema at the same instant, as replicas started together do.
    @Test(arguments: 1...3) func replicasStartedTogetherOnAnEmptyDatabaseAllComeUp(round: Int) async throws {
        let url = try await TestPostgres.freshDatabase()
        let replicas = 12
        let connected = try await withThrowingTaskGroup(of: Database.self) { group in
            for _ in 0..<replicas {
                group.addTask {
                    let database = try await Database.connect(url: url, dataDirectory: "", logger: Self.logger)
                    try await database.ping()
                    return database
                }
            }
            return try await group.reduce(into: [Database]()) { $0.append($1) }
        }
        let failures = await withTaskGroup(of: String?.self) { group in
            for database in connected {
                group.addTask {
                    do {
                        _ = try await Database.migrate(database)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
        #expect(failures.isEmpty, "every replica comes up: \(failures)")
        let check = try await Database.connect(url: url, dataDirectory: "", logger: Self.logger)
        let rows = try await check.sql.raw("SELECT version FROM schema_migrations ORDER BY version").all()
        let versions = try rows.map { try $0.decode(column: "version", as: Int.self) }
        #expect(versions == Array(1...versions.count) && versions.count >= 5, "each migration recorded once: \(versions)")
        try await check.close()
        // A replica whose migration failed has closed itself; closing twice is harmless.
        for database in connected { try? await database.close() }
    }

    func failure(_ url: String) async -> DatabaseError? {
        do {
            let database = try await Database.open(url: url, dataDirectory: "", logger: Self.logger)
            try? await database.close()
            return nil
        } catch {
            return error as? DatabaseError
        }
    }

    func with(_ url: String, user: String? = nil, password: String? = nil, database: String? = nil, port: Int? = nil) throws -> String {
        var components = try #require(URLComponents(string: url))
        if let user { components.user = user }
        if let password { components.password = password }
        if let database { components.path = "/" + database }
        if let port { components.port = port }
        return try #require(components.string)
    }

    @Test func aDatabaseThatCannotBeUsedSaysWhy() async throws {
        let server = try #require(TestPostgres.serverURL, "ALMANAC_TEST_POSTGRES_URL is not set: run the README's test command")
        let ghost = try #require(await failure(try with(server, user: "ghost", password: "s3cret-pw")))
        #expect(ghost.message.hasPrefix("authentication failed for 127.0.0.1:"), "\(ghost.message)")
        #expect(!ghost.message.contains("s3cret-pw") && !ghost.cause.contains("s3cret-pw"))
        #expect(ghost.cause.contains("28000"), "the log keeps the driver's own account: \(ghost.cause)")

        let missing = try #require(await failure(try with(server, database: "no_such_database_here")))
        #expect(missing.message.hasPrefix("the database of 127.0.0.1:"), "\(missing.message)")
        #expect(missing.message.contains("does not exist"))

        let url = try await TestPostgres.freshDatabase()
        let admin = try await Database.connect(url: url, dataDirectory: "", logger: Self.logger)
        let role = "reader_" + UUID().uuidString.prefix(8).lowercased()
        try await admin.sql.raw("CREATE ROLE \(unsafeRaw: role) LOGIN").run()
        try await admin.sql.raw("REVOKE CREATE ON SCHEMA public FROM PUBLIC").run()
        try await admin.close()
        let denied = try #require(await failure(try with(url, user: role)))
        #expect(denied.message.hasPrefix("permission denied on 127.0.0.1:"), "\(denied.message)")

        let refused = try #require(await failure(try with(server, port: try WebhookReceiver.freePort())))
        #expect(refused.message.hasPrefix("cannot connect to 127.0.0.1:"), "\(refused.message)")
    }
}
