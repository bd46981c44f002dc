import SQLKit

/// Escalations as the runner leaves them after each step: the state (JSON of the on-call
/// domain's `Escalation`), whether it still runs, and the hash of its acknowledgement link's
/// secret. A step's notifications are queued in the same transaction that records the step,
/// so a restart neither repeats nor skips one. Secrets are hashed by the caller (SHA-256).
public struct SQLEscalationStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public struct Row: Sendable {
        public var id: String
        public var alertKey: String
        public var data: String
        public var active: Bool
    }

    /// Starts an escalation unless the alert has one running; false when it had.
    public func open(id: String, alertKey: String, tokenHash: String, data: String, at now: Int64) async throws -> Bool {
        try await database.transaction { db in
            let running = try await db.select().column("id").from("escalations").where("alert_key", .equal, alertKey)
                .where("active", .equal, 1).first()
            guard running == nil else { return false }
            try await db.insert(into: "escalations").columns("id", "alert_key", "token_hash", "data", "active", "updated_ms")
                .values(SQLBind(id), SQLBind(alertKey), SQLBind(tokenHash), SQLBind(data), SQLBind(1), SQLBind(now)).run()
            return true
        }
    }

    public func active() async throws -> [Row] {
        try await rows(database.sql.select().columns("id", "alert_key", "data", "active").from("escalations").where("active", .equal, 1))
    }

    /// The newest escalations, running or not.
    public func recent(limit: Int = 100) async throws -> [Row] {
        try await rows(
            database.sql.select().columns("id", "alert_key", "data", "active").from("escalations").orderBy("updated_ms", .descending).limit(limit))
    }

    /// The escalation a link's secret (by its hash) opens.
    public func escalation(tokenHash: String) async throws -> Row? {
        try await rows(
            database.sql.select().columns("id", "alert_key", "data", "active").from("escalations").where("token_hash", .equal, tokenHash)
        ).first
    }

    public func escalation(id: String) async throws -> Row? {
        try await rows(database.sql.select().columns("id", "alert_key", "data", "active").from("escalations").where("id", .equal, id)).first
    }

    /// Records the escalation's new state and queues `notifications` with it, all or nothing.
    public func save(
        id: String, data: String, active: Bool, notifications: [(receiver: String, url: String, payload: String)], at now: Int64
    ) async throws {
        try await database.transaction { db in
            try await db.update("escalations").set("data", to: SQLBind(data)).set("active", to: SQLBind(active ? 1 : 0))
                .set("updated_ms", to: SQLBind(now)).where("id", .equal, id).run()
            try await SQLAlertStore.queue(notifications, in: db, at: now)
        }
    }

    private func rows(_ query: SQLSelectBuilder) async throws -> [Row] {
        try await query.all().map { row in
            Row(
                id: try row.decode(column: "id", as: String.self), alertKey: try row.decode(column: "alert_key", as: String.self),
                data: try row.decode(column: "data", as: String.self), active: try row.decode(column: "active", as: Int.self) == 1)
        }
    }
}
