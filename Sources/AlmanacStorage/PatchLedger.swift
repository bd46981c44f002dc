import Foundation
import PostgresKit
import SQLKit

/// The ledger of database patches, kept in the database they change (`almanac_patches`), so
/// anyone with the database sees what was applied, when, by whom, how long it took and the
/// checksum of what ran; a failed attempt stays as `failed` with its error.
public struct PatchLedger: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var checksum: String
        public var status: String
        public var appliedAt: Int64
        public var appliedBy: String
        public var milliseconds: Int64
        public var windowMilliseconds: Int64?
        public var error: String?
        /// The strongest lock seen on each table while it ran: `products:AccessExclusiveLock,...`.
        public var locks: String?

        public init(
            name: String, checksum: String, status: String, appliedAt: Int64, appliedBy: String, milliseconds: Int64,
            windowMilliseconds: Int64? = nil, error: String? = nil, locks: String? = nil
        ) {
            (self.name, self.checksum, self.status, self.appliedAt, self.appliedBy) = (name, checksum, status, appliedAt, appliedBy)
            (self.milliseconds, self.windowMilliseconds, self.error, self.locks) = (milliseconds, windowMilliseconds, error, locks)
        }
    }

    let database: Database

    public init(database: Database) { self.database = database }

    /// Creates the ledger when it is missing. Serialized by an advisory lock: two `CREATE TABLE IF
    /// NOT EXISTS` at once (a drift check and an apply) collide in PostgreSQL's catalogue.
    public func create() async throws {
        try await database.transaction { db in
            try await db.raw("SELECT pg_advisory_xact_lock(hashtext('almanac_patches'))").run()
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS almanac_patches (
                  name text PRIMARY KEY, checksum text NOT NULL, status text NOT NULL, applied_at bigint NOT NULL,
                  applied_by text NOT NULL, milliseconds bigint NOT NULL, window_milliseconds bigint, error text, locks text)
                """
            ).run()
            try await db.raw("ALTER TABLE almanac_patches ADD COLUMN IF NOT EXISTS locks text").run()
        }
    }

    /// Whether the database has a ledger yet: reading one creates nothing.
    public func exists() async throws -> Bool {
        let row = try await database.sql.raw("SELECT to_regclass('almanac_patches') IS NOT NULL AS present").first()
        return try row?.decode(column: "present", as: Bool.self) ?? false
    }

    /// The ledger's rows; none when the database has no ledger yet.
    public func entries() async throws -> [Entry] {
        guard try await exists() else { return [] }
        return try await database.sql.raw(
            """
            SELECT name, checksum, status, applied_at, applied_by, milliseconds, window_milliseconds, error, locks
            FROM almanac_patches ORDER BY name
            """
        ).all().map { row in
            Entry(
                name: try row.decode(column: "name", as: String.self), checksum: try row.decode(column: "checksum", as: String.self),
                status: try row.decode(column: "status", as: String.self), appliedAt: try row.decode(column: "applied_at", as: Int64.self),
                appliedBy: try row.decode(column: "applied_by", as: String.self),
                milliseconds: try row.decode(column: "milliseconds", as: Int64.self),
                windowMilliseconds: try row.decode(column: "window_milliseconds", as: Int64?.self),
                error: try row.decode(column: "error", as: String?.self), locks: try row.decode(column: "locks", as: String?.self))
        }
    }

    /// Records `entry` on `session` (inside the patch's own transaction, so the two commit together).
    public static func record(_ entry: Entry, on session: any SQLDatabase) async throws {
        try await session.raw(
            """
            INSERT INTO almanac_patches (name, checksum, status, applied_at, applied_by, milliseconds, window_milliseconds, error, locks)
            VALUES (\(bind: entry.name), \(bind: entry.checksum), \(bind: entry.status), \(bind: entry.appliedAt), \(bind: entry.appliedBy),
              \(bind: entry.milliseconds), \(bind: entry.windowMilliseconds), \(bind: entry.error), \(bind: entry.locks))
            ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, status = excluded.status, applied_at = excluded.applied_at,
              applied_by = excluded.applied_by, milliseconds = excluded.milliseconds, window_milliseconds = excluded.window_milliseconds,
              error = excluded.error, locks = excluded.locks
            """
        ).run()
    }

    public func record(_ entry: Entry) async throws { try await Self.record(entry, on: database.sql) }
}

extension DatabaseError {
    /// PostgreSQL's SQLSTATE of a refused statement (`55P03`: a lock not had within lock_timeout).
    public static func sqlState(_ error: any Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }

    /// What PostgreSQL said, without the connection details.
    public static func serverMessage(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return "\(error)" }
        return psql.serverInfo?[.message] ?? "\(psql.code)"
    }
}
