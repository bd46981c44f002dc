import AlmanacPatches
import AlmanacRollout
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// Patches applied to a real PostgreSQL: hot ones live (a concurrent index checked valid, a lock
/// not had in time retried), cold ones only inside a window whose length is measured, a patch
/// that fails half-way leaves nothing but a failed ledger row, and a patch changed after it was
/// applied stops everything.
@Suite(.serialized) struct PatchApplyTests {
    static func database() async throws -> (Database, String) {
        let url = try await TestPostgres.freshDatabase()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try await Database.connect(url: url, dataDirectory: "", logger: logger)
        try await database.sql.raw("CREATE TABLE products (id int PRIMARY KEY, code text, stock int)").run()
        try await database.sql.raw("INSERT INTO products SELECT g, 'c' || g, g FROM generate_series(1, 20000) g").run()
        return (database, url)
    }

    static func patches(_ files: [(String, String)]) throws -> PatchSet {
        try PatchSet.read(folder: "database/patches", files: files.map { (name: $0.0, text: $0.1) })
    }

    /// The window commands the applier ran.
    final class Commands: Sendable {
        let lines = Mutex<[String]>([])
    }

    static func applier(_ database: Database, _ settings: Pipeline.DatabaseSettings, log: Commands = Commands()) -> PatchApplier {
        PatchApplier(database: database, settings: settings, clock: .system, actor: "ann") { command in
            log.lines.withLock { $0.append(command) }
            return (!command.contains("fail"), command)
        }
    }

    static func count(_ database: Database, _ sql: String) async throws -> Int {
        try await database.sql.raw(SQLQueryString(sql)).first()?.decode(column: "n", as: Int.self) ?? -1
    }

    @Test func hotPatchesApplyLiveAndTheLedgerKeepsThem() async throws {
        let (database, _) = try await Self.database()
        defer { Task { try? await database.close() } }
        let set = try Self.patches([
            ("0001-barcode.sql", "ALTER TABLE products ADD COLUMN barcode text;\n"),
            ("0002-barcode-index.sql", "CREATE INDEX CONCURRENTLY products_barcode ON products (barcode);\n"),
        ])
        #expect(set.patches.map(\.verdict) == [.hot, .hot])
        let applier = Self.applier(database, Pipeline.DatabaseSettings(patches: "database/patches"))
        let applied = try await applier.apply(set)
        #expect(applied.map(\.name) == ["0001-barcode", "0002-barcode-index"])
        #expect(
            try await Self.count(
                database,
                "SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = 'products_barcode' AND i.indisvalid"
            ) == 1)
        let ledger = try await PatchLedger(database: database).entries()
        #expect(ledger.map(\.status) == ["applied", "applied"] && ledger.allSatisfy { $0.appliedBy == "ann" && $0.checksum.count == 64 })
        #expect(ledger[0].locks == "products:AccessExclusiveLock", "what PostgreSQL's pg_locks showed while it ran")
        #expect(try await applier.pending(set).isEmpty)

        // The same file, changed after it was applied: nothing more is applied.
        let changed = try Self.patches([
            ("0001-barcode.sql", "ALTER TABLE products ADD COLUMN barcode varchar(20);\n"),
            ("0002-barcode-index.sql", "CREATE INDEX CONCURRENTLY products_barcode ON products (barcode);\n"),
            ("0003-more.sql", "ALTER TABLE products ADD COLUMN more int;\n"),
        ])
        await #expect(throws: PatchError.self) { try await applier.apply(changed) }
        #expect(try await Self.count(database, "SELECT count(*)::int AS n FROM information_schema.columns WHERE column_name = 'more'") == 0)
    }

    @Test func aPatchThatFailsHalfWayLeavesNoTrace() async throws {
        let (database, _) = try await Self.database()
        defer { Task { try? await database.close() } }
        let set = try Self.patches([("0001-half.sql", "CREATE TABLE labels (id int);\nALTER TABLE products ADD COLUMN stock int;\n")])
        do {
            _ = try await Self.applier(database, Pipeline.DatabaseSettings(patches: "database/patches")).apply(set)
            Issue.record("the second statement must fail: the column exists")
        } catch PatchError.failed(let patch, let line, let message) {
            #expect(patch == "database/patches/0001-half.sql" && line == 2 && message.contains("42701"), "\(message)")
        }
        #expect(try await Self.count(database, "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'labels'") == 0, "transactional DDL")
        let ledger = try await PatchLedger(database: database).entries()
        #expect(ledger.map(\.status) == ["failed"] && ledger[0].error?.contains("already exists") == true)
    }

    @Test func aColdPatchNeedsTheWindowAndItsLengthIsMeasured() async throws {
        let (database, _) = try await Self.database()
        defer { Task { try? await database.close() } }
        let set = try Self.patches([("0001-bigint.sql", "ALTER TABLE products ALTER COLUMN stock TYPE bigint;\n")])
        #expect(set.patches[0].verdict == .cold)
        await #expect(throws: PatchError.self, "no window configured") {
            try await Self.applier(database, Pipeline.DatabaseSettings(patches: "database/patches")).apply(set)
        }
        var failing = Pipeline.DatabaseSettings(patches: "database/patches")
        (failing.windowStart, failing.windowEnd) = ("maintenance fail", "maintenance off")
        await #expect(throws: PatchError.self, "a window that does not open stops the patch") {
            try await Self.applier(database, failing).apply(set)
        }
        #expect(try await PatchLedger(database: database).entries().isEmpty)
        var settings = failing
        settings.windowStart = "maintenance on"
        let log = Commands()
        let applied = try await Self.applier(database, settings, log: log).apply(set)
        #expect(log.lines.withLock { $0 } == ["maintenance on", "maintenance off"])
        #expect(applied.first?.windowMilliseconds.map { $0 >= applied[0].milliseconds } == true)
        #expect(try await PatchLedger(database: database).entries().first?.windowMilliseconds != nil)
        #expect(
            try await Self.count(
                database, "SELECT count(*)::int AS n FROM information_schema.columns WHERE column_name = 'stock' AND data_type = 'bigint'") == 1)
    }

    /// Another session holds the table for a second: the hot patch's lock timeout (200 ms) gives
    /// up, and it is tried again until it gets the lock.
    @Test func aLockNotHadInTimeIsRetried() async throws {
        let (database, url) = try await Self.database()
        defer { Task { try? await database.close() } }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let other = try await Database.connect(url: url, dataDirectory: "", logger: logger)
        let holding = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await other.transaction { session in
                try await session.raw("LOCK TABLE products IN ACCESS SHARE MODE").run()
                holding.continuation.yield()
                try await session.raw("SELECT pg_sleep(1.2)").run()
            }
        }
        for await _ in holding.stream { break }
        var settings = Pipeline.DatabaseSettings(patches: "database/patches")
        settings.lockTimeout = 200
        let set = try Self.patches([("0001-code.sql", "ALTER TABLE products ADD COLUMN origin text;\n")])
        let applied = try await Self.applier(database, settings).apply(set)
        try await holder.value
        try await other.close()
        #expect(applied.first.map { $0.attempts > 1 } == true, "\(applied)")
    }
}
