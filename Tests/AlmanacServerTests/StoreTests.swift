import AlmanacFlags
import AlmanacStorage
import AlmanacTesting
import Logging
import SQLKit
import Testing

/// One suite, both backends: the SQL store behaves the same on SQLite and PostgreSQL.
@Suite struct StoreTests {
    func withStore(_ backend: Backend, _ body: (SQLFlagStore, Database) async throws -> Void) async throws {
        try await backend.withDatabase { database in try await body(SQLFlagStore(database: database), database) }
    }

    @Test(arguments: Backend.allCases)
    func changesAreStoredAndAudited(backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.latestChangeID() == 0)
            _ = try await store.apply(.setState(flagKey: "banner", state: .disabled), actor: "ann", comment: "incident 12", at: 1000)
            _ = try await store.apply(.setDefaultVariant(flagKey: "banner", variant: "on"), actor: "ann", comment: "", at: 2000)
            _ = try await store.apply(.pin(flagKey: "banner", subject: .user("bob"), variant: "off"), actor: "bob", comment: "old page", at: 3000)
            let second = try await store.apply(.setState(flagKey: "banner", state: .enabled), actor: "cy", comment: "fixed", at: 4000)
            #expect(second.before == "DISABLED")
            #expect(second.after == "ENABLED")
            let state = try await store.runtimeState()
            #expect(state.overrides["banner"] == FlagOverride(state: .enabled, defaultVariant: "on"))
            #expect(state.pins["banner"] == [.user("bob"): "off"])
            let log = try await store.auditLog(flagKey: "banner", limit: 10)
            #expect(log.map(\.action) == ["enable", "pin", "set-default-variant", "disable"])
            #expect(log.last?.comment == "incident 12")
            #expect(log.last?.actor == "ann")
            #expect(try await store.latestChangeID() == log.first?.id)
            _ = try await store.apply(.unpin(flagKey: "banner", subject: .user("bob")), actor: "bob", comment: "", at: 5000)
            #expect(try await store.runtimeState().pins["banner"] ?? [:] == [:])
            #expect(try await store.auditLog(flagKey: nil, limit: 1).first?.before == "off")
        }
    }

    @Test(arguments: Backend.allCases)
    func evaluationCountsAccumulate(backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            try await store.record([EvaluationCount(flagKey: "a", variant: "on", hour: 100, count: 3)])
            try await store.record([
                EvaluationCount(flagKey: "a", variant: "on", hour: 100, count: 2), EvaluationCount(flagKey: "a", variant: "off", hour: 101, count: 1),
                EvaluationCount(flagKey: "b", variant: "x", hour: 50, count: 7),
            ])
            let usage = try await store.usage(sinceHour: 90)
            #expect(usage["a"]?.byVariant == ["on": 5, "off": 1])
            #expect(usage["a"]?.lastHour == 101)
            #expect(usage["b"] == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func migrationsRunOnceAcrossReopen(backend: Backend) async throws {
        let url = try await backend.database()
        let data = try TestServer.temporaryDirectory()
        for _ in 0..<2 {
            let database = try await Database.open(url: url, dataDirectory: data, logger: Logger(label: "test"))
            _ = try await SQLFlagStore(database: database).apply(.setState(flagKey: "f", state: .disabled), actor: "a", comment: "", at: 1)
            try await database.close()
        }
        let database = try await Database.open(url: url, dataDirectory: data, logger: Logger(label: "test"))
        #expect(try await SQLFlagStore(database: database).auditLog(flagKey: "f", limit: 10).count == 2)
        try await database.close()
    }
}

/// Many tasks writing at once: statements outside transactions, transactions that commit and
/// transactions that roll back. Nothing acknowledged is lost, nothing rolled back stays.
@Suite struct ConcurrentWriteTests {
    @Test(arguments: Backend.allCases)
    func concurrentWritersNeverLoseOrKeepEachOthersWrites(backend: Backend) async throws {
        try await backend.withDatabase { database in
            try await database.sql.raw("CREATE TABLE write_test (writer TEXT NOT NULL, n INTEGER NOT NULL)").run()
            struct Refused: Error {}
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<12 {
                    group.addTask {
                        for n in 0..<15 {
                            switch writer % 3 {
                            case 0:
                                try await database.sql.insert(into: "write_test").columns("writer", "n").values(SQLBind("plain"), SQLBind(n)).run()
                            case 1:
                                try await database.transaction { db in
                                    try await db.insert(into: "write_test").columns("writer", "n").values(SQLBind("committed"), SQLBind(n)).run()
                                    try await Task.sleep(for: .milliseconds(1))
                                    try await db.insert(into: "write_test").columns("writer", "n").values(SQLBind("committed"), SQLBind(n)).run()
                                }
                            default:
                                await #expect(throws: Refused.self) {
                                    try await database.transaction { db in
                                        try await db.insert(into: "write_test").columns("writer", "n").values(SQLBind("rolled-back"), SQLBind(n))
                                            .run()
                                        try await Task.sleep(for: .milliseconds(1))
                                        throw Refused()
                                    }
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await database.sql.raw("SELECT writer, CAST(COUNT(*) AS BIGINT) AS n FROM write_test GROUP BY writer").all()
            let counts = Dictionary(
                uniqueKeysWithValues: try rows.map { (try $0.decode(column: "writer", as: String.self), try $0.decode(column: "n", as: Int64.self)) })
            #expect(counts == ["plain": 4 * 15, "committed": 4 * 15 * 2])
        }
    }
}
