import AlmanacRollout
import Foundation
import SQLKit

/// QA states of revisions, rollouts and the per-environment rollout lock, on the shared SQL layer.
public struct SQLReleaseStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Sets a revision's QA state and records who and why, in one transaction.
    public func setQA(_ state: QAState, revision: String, actor: String, comment: String, at now: Int64) async throws {
        try await database.transaction { db in
            try await db.insert(into: "qa_states").columns("revision", "state", "actor", "at", "comment")
                .values(SQLBind(revision), SQLBind(state.rawValue), SQLBind(actor), SQLBind(now), SQLBind(comment))
                .onConflict(with: ["revision"]) {
                    $0.set(excludedValueOf: "state").set(excludedValueOf: "actor").set(excludedValueOf: "at").set(excludedValueOf: "comment")
                }
                .run()
            try await db.insert(into: "qa_history").columns("revision", "state", "actor", "at", "comment")
                .values(SQLBind(revision), SQLBind(state.rawValue), SQLBind(actor), SQLBind(now), SQLBind(comment))
                .run()
        }
    }

    /// QA states of `revisions` that have one.
    public func qaStates(_ revisions: [String]) async throws -> [String: QAState] {
        guard !revisions.isEmpty else { return [:] }
        var out: [String: QAState] = [:]
        for batch in stride(from: 0, to: revisions.count, by: 500) {
            let rows = try await database.sql.select().columns("revision", "state").from("qa_states")
                .where(SQLIdentifier("revision"), .in, SQLBind.group(Array(revisions[batch..<min(batch + 500, revisions.count)])))
                .all()
            for row in rows {
                if let state = QAState(rawValue: try row.decode(column: "state", as: String.self)) {
                    out[try row.decode(column: "revision", as: String.self)] = state
                }
            }
        }
        return out
    }

    /// Takes the environment's rollout lock for `holder` until `leaseUntil`; true when taken. A
    /// lock whose lease ran out is free, so a crashed server cannot leave it stuck.
    public func lock(environment: String, holder: String, leaseUntil: Int64, now: Int64) async throws -> Bool {
        try await database.transaction { db in
            if database.backend == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7340212)").run() }
            let row = try await db.select().columns("holder", "lease_until").from("rollout_locks").where("environment", .equal, environment).first()
            if let row, try row.decode(column: "lease_until", as: Int64.self) > now, try row.decode(column: "holder", as: String.self) != holder {
                return false
            }
            try await db.insert(into: "rollout_locks").columns("environment", "holder", "lease_until")
                .values(SQLBind(environment), SQLBind(holder), SQLBind(leaseUntil))
                .onConflict(with: ["environment"]) { $0.set(excludedValueOf: "holder").set(excludedValueOf: "lease_until") }
                .run()
            return true
        }
    }

    /// True while another server's rollout lock on the environment has not run out. With SQLite
    /// one process owns the file, so a lock it does not know of is an earlier run's.
    public func isLocked(environment: String, now: Int64) async throws -> Bool {
        guard database.backend == .postgres else { return false }
        return try await database.sql.select().column("holder").from("rollout_locks").where("environment", .equal, environment)
            .where("lease_until", .greaterThan, now).first() != nil
    }

    public func unlock(environment: String, holder: String) async throws {
        try await database.sql.delete(from: "rollout_locks").where("environment", .equal, environment).where("holder", .equal, holder).run()
    }

    /// Saves a rollout's whole state after a step: after this returns, a restart knows it.
    public func save(_ rollout: Rollout, at now: Int64) async throws {
        let data = String(decoding: try JSONEncoder().encode(rollout), as: UTF8.self)
        try await database.sql.insert(into: "rollouts").columns("id", "environment", "phase", "data", "started_at", "updated_at")
            .values(SQLBind(rollout.id), SQLBind(rollout.environment), SQLBind(rollout.phase.rawValue), SQLBind(data), SQLBind(now), SQLBind(now))
            .onConflict(with: ["id"]) { $0.set(excludedValueOf: "phase").set(excludedValueOf: "data").set(excludedValueOf: "updated_at") }
            .run()
    }

    /// The revision an environment's newest successful rollout left on it, if any.
    public func running(environment: String) async throws -> String? {
        try await database.sql.select().column("data").from("rollouts").where("environment", .equal, environment)
            .where("phase", .equal, Rollout.Phase.succeeded.rawValue).orderBy("started_at", .descending).orderBy("id", .descending).limit(1)
            .first(decodingColumn: "data", as: String.self)
            .map { try JSONDecoder().decode(Rollout.self, from: Data($0.utf8)).to }
    }

    /// One rollout by its id.
    public func rollout(id: String) async throws -> Rollout? {
        try await database.sql.select().column("data").from("rollouts").where("id", .equal, id).first(decodingColumn: "data", as: String.self)
            .map { try JSONDecoder().decode(Rollout.self, from: Data($0.utf8)) }
    }

    /// Rollouts of `environment` (every environment when nil), newest first.
    public func rollouts(environment: String? = nil, limit: Int = 50) async throws -> [Rollout] {
        var query = database.sql.select().column("data").from("rollouts")
        if let environment { query = query.where("environment", .equal, environment) }
        return try await query.orderBy("started_at", .descending).orderBy("id", .descending).limit(limit).all().map { row in
            try JSONDecoder().decode(Rollout.self, from: Data(try row.decode(column: "data", as: String.self).utf8))
        }
    }

    /// Rollouts that started or changed between `from` and `to`, with when each started.
    public func rollouts(from: Int64, to: Int64, limit: Int = 500) async throws -> [(startedAt: Int64, rollout: Rollout)] {
        try await database.sql.select().columns("started_at", "data").from("rollouts").where("updated_at", .greaterThanOrEqual, from)
            .where("started_at", .lessThanOrEqual, to).orderBy("started_at", .ascending).limit(limit).all().map { row in
                (
                    try row.decode(column: "started_at", as: Int64.self),
                    try JSONDecoder().decode(Rollout.self, from: Data(try row.decode(column: "data", as: String.self).utf8))
                )
            }
    }

    /// Records what a host reports; `since` moves only when the revision changes.
    public func observe(environment: String, host: String, revision: String?, at now: Int64) async throws {
        try await database.transaction { db in
            let row = try await db.select().columns("revision", "since").from("host_revisions")
                .where("environment", .equal, environment).where("host", .equal, host).first()
            let previous = try row.flatMap { try $0.decodeNil(column: "revision") ? nil : try $0.decode(column: "revision", as: String.self) }
            let since = row != nil && previous == revision ? try row!.decode(column: "since", as: Int64.self) : now
            try await db.insert(into: "host_revisions").columns("environment", "host", "revision", "since", "checked_at")
                .values(SQLBind(environment), SQLBind(host), SQLBind(revision), SQLBind(since), SQLBind(now))
                .onConflict(with: ["environment", "host"]) {
                    $0.set(excludedValueOf: "revision").set(excludedValueOf: "since").set(excludedValueOf: "checked_at")
                }
                .run()
        }
    }

    public func observations() async throws -> [HostObservation] {
        try await database.sql.select().columns("environment", "host", "revision", "since", "checked_at").from("host_revisions").all().map { row in
            HostObservation(
                environment: try row.decode(column: "environment", as: String.self), host: try row.decode(column: "host", as: String.self),
                revision: try row.decodeNil(column: "revision") ? nil : try row.decode(column: "revision", as: String.self),
                since: try row.decode(column: "since", as: Int64.self), checkedAt: try row.decode(column: "checked_at", as: Int64.self))
        }
    }
}
