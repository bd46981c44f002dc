import Foundation
import SQLKit

/// Who holds a piece of once-per-cluster work, since when, and until when unless renewed.
public struct Lease: Sendable, Codable, Equatable {
    public var name: String
    public var holder: String
    /// When this holder took it (ms); renewals keep it.
    public var since: Int64
    /// When it is free for another replica unless renewed (ms, database clock).
    public var expires: Int64
    /// Counts hand-overs: a new holder gets the next term.
    public var term: Int64
}

/// A server process sharing the database, as it last reported itself.
public struct Replica: Sendable, Codable, Equatable {
    public var id: String
    /// Where it serves HTTP (`host:port`).
    public var address: String
    public var startedAt: Int64
    public var seenAt: Int64
}

/// Leases and replica heartbeats on the shared SQL layer. Times come from the database's clock
/// on PostgreSQL, so replicas whose clocks disagree still agree on when a lease ends.
public struct SQLLeaseStore: Sendable {
    let database: Database
    let clock: StoreClock

    public init(database: Database, clock: StoreClock) {
        self.database = database
        self.clock = clock
    }

    /// Takes or renews `name` for `holder` for `duration` ms, and returns the lease as it now stands:
    /// held by another holder while that holder's lease runs.
    public func acquire(_ name: String, holder: String, duration: Int64) async throws -> Lease {
        try await database.transaction { db in
            // Serialises acquisitions of every lease: one row read and one written, so it stays short.
            if database.backend == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7340213)").run() }
            let now = try await now(db)
            let current = try await db.select().columns("holder", "since_ms", "expires_ms", "term").from("leases").where("name", .equal, name)
                .first()
            var lease = Lease(name: name, holder: holder, since: now, expires: now + duration, term: 1)
            if let current {
                let owner = try current.decode(column: "holder", as: String.self)
                let term = try current.decode(column: "term", as: Int64.self)
                // With SQLite one process owns the file: another holder there was an earlier run of this server.
                if owner == holder {
                    lease.since = try current.decode(column: "since_ms", as: Int64.self)
                    lease.term = term
                } else if database.backend == .postgres, try current.decode(column: "expires_ms", as: Int64.self) > now {
                    return Lease(
                        name: name, holder: owner, since: try current.decode(column: "since_ms", as: Int64.self),
                        expires: try current.decode(column: "expires_ms", as: Int64.self), term: term)
                } else {
                    lease.term = term + 1
                }
            }
            try await db.insert(into: "leases").columns("name", "holder", "since_ms", "expires_ms", "term")
                .values(SQLBind(name), SQLBind(holder), SQLBind(lease.since), SQLBind(lease.expires), SQLBind(lease.term))
                .onConflict(with: ["name"]) {
                    $0.set(excludedValueOf: "holder").set(excludedValueOf: "since_ms").set(excludedValueOf: "expires_ms").set(excludedValueOf: "term")
                }
                .run()
            return lease
        }
    }

    /// Gives `name` up at once, so another replica need not wait for the lease to run out.
    public func release(_ name: String, holder: String) async throws {
        try await database.sql.update("leases").set("expires_ms", to: SQLBind(Int64(0)))
            .where("name", .equal, name).where("holder", .equal, holder).run()
    }

    /// Every lease ever taken, by name, with the database's time now.
    public func leases() async throws -> (leases: [Lease], now: Int64) {
        let now = try await now(database.sql)
        let rows = try await database.sql.select().columns("name", "holder", "since_ms", "expires_ms", "term").from("leases").orderBy("name").all()
        let leases = try rows.map { row in
            Lease(
                name: try row.decode(column: "name", as: String.self), holder: try row.decode(column: "holder", as: String.self),
                since: try row.decode(column: "since_ms", as: Int64.self), expires: try row.decode(column: "expires_ms", as: Int64.self),
                term: try row.decode(column: "term", as: Int64.self))
        }
        return (leases, now)
    }

    /// Records that `id` is alive and where it serves.
    public func heartbeat(id: String, address: String, startedAt: Int64) async throws {
        let now = try await now(database.sql)
        try await database.sql.insert(into: "replicas").columns("id", "address", "started_ms", "seen_ms")
            .values(SQLBind(id), SQLBind(address), SQLBind(startedAt), SQLBind(now))
            .onConflict(with: ["id"]) { $0.set(excludedValueOf: "address").set(excludedValueOf: "seen_ms") }
            .run()
    }

    /// A replica that stops cleanly leaves the list; one that died ages out of it.
    public func leave(id: String) async throws {
        try await database.sql.delete(from: "replicas").where("id", .equal, id).run()
    }

    /// Replicas seen within `window` ms of the database's now, oldest first; a day's silence forgets one.
    public func replicas(seenWithin window: Int64) async throws -> (replicas: [Replica], now: Int64) {
        let now = try await now(database.sql)
        try await database.sql.delete(from: "replicas").where("seen_ms", .lessThan, now - 24 * 3_600_000).run()
        let rows = try await database.sql.select().columns("id", "address", "started_ms", "seen_ms").from("replicas")
            .where("seen_ms", .greaterThanOrEqual, now - window).orderBy("started_ms").all()
        let replicas = try rows.map { row in
            Replica(
                id: try row.decode(column: "id", as: String.self), address: try row.decode(column: "address", as: String.self),
                startedAt: try row.decode(column: "started_ms", as: Int64.self), seenAt: try row.decode(column: "seen_ms", as: Int64.self))
        }
        return (replicas, now)
    }

    /// The clock every replica agrees on: PostgreSQL's, or this process's own with SQLite (and
    /// the test's, when a test drives time).
    func now(_ db: any SQLDatabase) async throws -> Int64 {
        guard database.backend == .postgres, clock.isSystem else { return clock.now() }
        let row = try await db.raw("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS now").first()
        guard let row else { throw DatabaseError(message: "PostgreSQL returned no time") }
        return try row.decode(column: "now", as: Int64.self)
    }
}
