import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// One SQL layer over both backends: every query is written once with SQLKit and runs on
/// SQLite (the embedded default, a file in the data directory) or PostgreSQL (for replicas).
public final class Database: Sendable {
    public enum Backend: String, Sendable { case sqlite, postgres }

    public let backend: Backend
    /// The SQLKit handle for statements outside transactions. On SQLite every statement waits
    /// for the one connection's lock, so none lands inside another task's transaction.
    public let sql: any SQLDatabase
    /// The handle transactions open their session on (SQLite: the bare connection, used only
    /// under the lock; PostgreSQL: the pool, which gives each session its own connection).
    private let sessions: any SQLDatabase
    /// SQLite's single connection; nil on PostgreSQL, whose transactions run side by side.
    private let writeLock: AsyncLock?
    private let closer: @Sendable () async throws -> Void

    private init(backend: Backend, connection: any SQLDatabase, closer: @escaping @Sendable () async throws -> Void) {
        self.backend = backend
        self.closer = closer
        sessions = connection
        if backend == .sqlite {
            let lock = AsyncLock()
            writeLock = lock
            sql = SerializedSQLDatabase(base: connection, lock: lock)
        } else {
            writeLock = nil
            sql = connection
        }
    }

    /// Opens `url` (postgres://...) when given, otherwise `almanac.sqlite` in `dataDirectory`,
    /// and brings the schema up to date.
    /// A PostgreSQL failure is thrown as a `DatabaseError` that says what to do about it.
    public static func open(url: String?, dataDirectory: String, logger: Logger) async throws -> Database {
        try await migrate(try await connect(url: url, dataDirectory: dataDirectory, logger: logger), url: url, logger: logger)
    }

    /// Brings a connected database's schema up to date; closes it and explains when that fails.
    public static func migrate(_ database: Database, url: String? = nil, logger: Logger? = nil) async throws -> Database {
        do {
            try await Migrations.run(on: database)
        } catch {
            try? await database.close()
            guard database.backend == .postgres else { throw error }
            let explained = DatabaseError(error, url: url)
            logger?.error("cannot open the database", metadata: ["error": "\(explained.message)", "cause": "\(explained.cause)"])
            throw explained
        }
        return database
    }

    /// Connects without touching the schema (for administrative statements such as CREATE DATABASE).
    public static func connect(url: String?, dataDirectory: String, logger: Logger) async throws -> Database {
        if let url, !url.isEmpty { return try openPostgres(url: url, logger: logger) }
        return try await openSQLite(path: dataDirectory + "/almanac.sqlite", logger: logger)
    }

    /// A SQLite file with no Almanac schema, for work files that keep their own tables (a storage audit's ledger).
    public static func openFile(_ path: String, logger: Logger) async throws -> Database {
        try await openSQLite(path: path, logger: logger)
    }

    static func openSQLite(path: String, logger: Logger) async throws -> Database {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let sql = connection.sql(queryLogLevel: nil)
        // WAL lets readers run beside the writer; FULL sync makes an acknowledged write survive a crash.
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"] {
            try await sql.raw(SQLQueryString(pragma)).run()
        }
        return Database(backend: .sqlite, connection: sql) { try await connection.close() }
    }

    static func openPostgres(url: String, logger: Logger) throws -> Database {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = nil
        let source = PostgresConnectionSource(sqlConfiguration: configuration)
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 4, pruneInterval: .seconds(60), logger: logger,
            on: MultiThreadedEventLoopGroup.singleton)
        let sql = pool.database(logger: logger).sql(queryLogLevel: nil)
        let box = PoolBox(pool: pool)
        return Database(backend: .postgres, connection: sql) { try await box.pool.shutdownAsync() }
    }

    /// Runs `body` in one transaction on one connection; it commits only if `body` returns.
    /// `body` must use the session it is given: on SQLite, `sql` waits for this transaction.
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard let writeLock else { return try await Self.run(body, on: sessions) }
        return try await writeLock.withLock { try await Self.run(body, on: self.sessions) }
    }

    private static func run<R: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> R, on database: any SQLDatabase
    ) async throws -> R {
        try await database.withSession { session in
            try await session.raw("BEGIN").run()
            do {
                let result = try await body(session)
                try await session.raw("COMMIT").run()
                return result
            } catch {
                // A cancelled task's statements are refused too, so the ROLLBACK runs in a task of
                // its own: left open, SQLite's one connection (or a pooled PostgreSQL one) would run
                // every later statement inside this transaction. The first error is the one reported.
                _ = await Task { try await session.raw("ROLLBACK").run() }.result
                throw error
            }
        }
    }

    /// Answers when the database does: what readiness checks ask.
    public func ping() async throws {
        try await sql.raw("SELECT 1").run()
    }

    /// Closes the connection or pool.
    public func close() async throws {
        try await closer()
    }
}

/// AsyncKit's pool guards its state with locks but predates `Sendable`; it is only shut down through this box.
private struct PoolBox: @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>
}

/// SQLite's one connection, shared: each statement runs under the lock that transactions hold,
/// so a statement of one task cannot run between another task's BEGIN and COMMIT.
struct SerializedSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let lock: AsyncLock

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await lock.withLock { try await base.execute(sql: query, onRow) }
    }
}

/// A first-come, first-served lock for async code.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        if locked {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            locked = true
        }
        defer {
            if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}
