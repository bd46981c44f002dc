import AlmanacAlerts
import Foundation
import SQLKit

/// A notification waiting in the outbox: kept until its receiver takes it, so a receiver that
/// is down gets everything once it is back.
public struct OutboxEntry: Sendable, Hashable {
    public var id: Int64
    public var receiver: String
    public var url: String
    public var payload: String
    public var attempts: Int
}

/// One line of the alert history.
public struct AlertEvent: Sendable, Hashable {
    public var at: Int64
    public var rule: String
    public var labels: String
    public var event: String
    public var severity: String
    public var value: Double?

    public init(at: Int64, rule: String, labels: String, event: String, severity: String, value: Double?) {
        self.at = at
        self.rule = rule
        self.labels = labels
        self.event = event
        self.severity = severity
        self.value = value
    }
}

/// Saved state that no longer decodes: reported, never read as empty.
public struct StoredStateDamaged: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var reason: String
    public var description: String { "\(what) cannot be read: \(reason)" }
}

/// Alert state, history and the notification outbox on the shared SQL layer.
public struct SQLAlertStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The saved alert state (tracker and notification groups); empty before the first
    /// evaluation. A saved state that does not decode is an error, never an empty state.
    public func state() async throws -> AlertingState {
        let text = try await database.sql.select().column("data").from("alert_state").where("id", .equal, "tracker")
            .first(decodingColumn: "data", as: String.self)
        guard let text else { return AlertingState() }
        do {
            return try JSONDecoder().decode(AlertingState.self, from: Data(text.utf8))
        } catch {
            throw StoredStateDamaged(what: "the saved alert state", reason: "\(error)")
        }
    }

    /// Saves the tracker, its new history lines and their notifications together, so a crash
    /// can neither lose a notification nor send one twice after restart.
    /// Acknowledgements of `resolvedKeys` end with their alerts; `reminded` silences get their
    /// reminder time, in the same transaction.
    public func save(
        state: AlertingState, events: [AlertEvent], notifications: [(receiver: String, url: String, payload: String)], at now: Int64,
        resolvedKeys: [String] = [], reminded: [Int64] = []
    ) async throws {
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try await database.transaction { db in
            try await db.insert(into: "alert_state").columns("id", "data", "updated_at")
                .values(SQLBind("tracker"), SQLBind(text), SQLBind(now))
                .onConflict(with: ["id"]) { $0.set(excludedValueOf: "data").set(excludedValueOf: "updated_at") }
                .run()
            for e in events {
                try await db.insert(into: "alert_history").columns("at", "rule", "labels", "event", "severity", "value")
                    .values(SQLBind(e.at), SQLBind(e.rule), SQLBind(e.labels), SQLBind(e.event), SQLBind(e.severity), SQLBind(e.value))
                    .run()
            }
            try await Self.queue(notifications, in: db, at: now)
            if !resolvedKeys.isEmpty {
                try await db.delete(from: "alert_acks").where(SQLIdentifier("alert_key"), .in, SQLBind.group(resolvedKeys)).run()
            }
            if !reminded.isEmpty {
                try await db.update("silences").set("reminded_at", to: SQLBind(now)).where(SQLIdentifier("id"), .in, SQLBind.group(reminded)).run()
            }
        }
    }

    /// Queues notifications that belong to no alert evaluation (a rolled-back release).
    public func enqueue(_ notifications: [(receiver: String, url: String, payload: String)], at now: Int64) async throws {
        try await database.transaction { db in
            try await Self.queue(notifications, in: db, at: now)
        }
    }

    /// Adds notifications to the outbox inside the caller's transaction, due at once: the one
    /// insert every queue shares (alert rounds, rollout notices, escalation steps).
    static func queue(_ notifications: [(receiver: String, url: String, payload: String)], in db: any SQLDatabase, at now: Int64) async throws {
        for n in notifications {
            try await db.insert(into: "notification_outbox")
                .columns("created_at", "receiver", "url", "payload", "attempts", "next_attempt_at")
                .values(SQLBind(now), SQLBind(n.receiver), SQLBind(n.url), SQLBind(n.payload), SQLBind(0), SQLBind(now))
                .run()
        }
    }

    /// Undelivered notifications due by `now`, oldest first.
    public func due(at now: Int64, limit: Int = 100) async throws -> [OutboxEntry] {
        try await database.sql.select().columns("id", "receiver", "url", "payload", "attempts").from("notification_outbox")
            .where("delivered_at", .is, SQLLiteral.null).where("next_attempt_at", .lessThanOrEqual, now)
            .orderBy("id").limit(limit).all().map { row in
                OutboxEntry(
                    id: try row.decode(column: "id", as: Int64.self), receiver: try row.decode(column: "receiver", as: String.self),
                    url: try row.decode(column: "url", as: String.self), payload: try row.decode(column: "payload", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self))
            }
    }

    public func delivered(_ id: Int64, at now: Int64) async throws {
        try await database.sql.update("notification_outbox").set("delivered_at", to: SQLBind(now)).where("id", .equal, id).run()
    }

    public func failed(_ id: Int64, attempts: Int, error: String, retryAt: Int64) async throws {
        try await database.sql.update("notification_outbox")
            .set("attempts", to: SQLBind(attempts)).set("last_error", to: SQLBind(String(error.prefix(500))))
            .set("next_attempt_at", to: SQLBind(retryAt)).where("id", .equal, id).run()
    }

    /// Drops delivered notifications older than `before` (ms), so the outbox does not grow forever.
    public func prune(deliveredBefore before: Int64) async throws {
        try await database.sql.delete(from: "notification_outbox").where("delivered_at", .lessThan, before).run()
    }

    /// The newest history lines, optionally of one rule.
    public func history(rule: String? = nil, from: Int64? = nil, to: Int64? = nil, limit: Int = 200) async throws -> [AlertEvent] {
        var query = database.sql.select().columns("at", "rule", "labels", "event", "severity", "value").from("alert_history")
        if let rule { query = query.where("rule", .equal, rule) }
        if let from { query = query.where("at", .greaterThanOrEqual, from) }
        if let to { query = query.where("at", .lessThanOrEqual, to) }
        return try await query.orderBy("id", .descending).limit(limit).all().map { row in
            AlertEvent(
                at: try row.decode(column: "at", as: Int64.self), rule: try row.decode(column: "rule", as: String.self),
                labels: try row.decode(column: "labels", as: String.self), event: try row.decode(column: "event", as: String.self),
                severity: try row.decode(column: "severity", as: String.self),
                value: try row.decodeNil(column: "value") ? nil : try row.decode(column: "value", as: Double.self))
        }
    }
}
