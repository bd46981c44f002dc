import AlmanacAlerts
import SQLKit

/// Silences and acknowledgements: what people decided about alerts, kept with the history.
extension SQLAlertStore {
    /// Stores a silence and its history line together; returns its id.
    public func addSilence(_ silence: Silence, at now: Int64) async throws -> Int64 {
        try await database.transaction { db in
            let id =
                try await db.insert(into: "silences").columns("matchers", "starts_at", "ends_at", "created_by", "comment")
                .values(
                    SQLBind(silence.matchers), SQLBind(silence.startsAt), SQLBind(silence.endsAt), SQLBind(silence.createdBy),
                    SQLBind(silence.comment)
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self) ?? 0
            try await Self.record(
                db, at: now, rule: "silence #\(id)", labels: silence.matchers, event: "silenced by \(silence.createdBy): \(silence.comment)")
            return id
        }
    }

    /// Ends a silence now (or at `end`, soon after); false when there is no such active silence.
    public func expireSilence(id: Int64, by actor: String, at now: Int64, endingAt end: Int64? = nil) async throws -> Bool {
        try await database.transaction { db in
            let row = try await db.select().column("matchers").from("silences").where("id", .equal, id).where("ends_at", .greaterThan, now).first()
            guard let matchers = try row?.decode(column: "matchers", as: String.self) else { return false }
            try await db.update("silences").set("ends_at", to: SQLBind(max(now, end ?? now))).where("id", .equal, id).run()
            try await Self.record(db, at: now, rule: "silence #\(id)", labels: matchers, event: "expired by \(actor)")
            return true
        }
    }

    /// Silences that end after `since` (ms), newest first.
    public func silences(endingAfter since: Int64) async throws -> [Silence] {
        try await database.sql.select().columns("id", "matchers", "starts_at", "ends_at", "created_by", "comment", "reminded_at")
            .from("silences").where("ends_at", .greaterThan, since).orderBy("id", .descending).all().map { row in
                Silence(
                    id: try row.decode(column: "id", as: Int64.self), matchers: try row.decode(column: "matchers", as: String.self),
                    startsAt: try row.decode(column: "starts_at", as: Int64.self), endsAt: try row.decode(column: "ends_at", as: Int64.self),
                    createdBy: try row.decode(column: "created_by", as: String.self), comment: try row.decode(column: "comment", as: String.self),
                    remindedAt: try row.decodeNil(column: "reminded_at") ? nil : try row.decode(column: "reminded_at", as: Int64.self))
            }
    }

    /// Acknowledges an alert: it stays firing and on the page, but is not repeated to people.
    public func acknowledge(_ alert: Alert, by actor: String, comment: String, at now: Int64) async throws {
        try await database.transaction { db in
            try await db.insert(into: "alert_acks").columns("alert_key", "by", "at", "comment")
                .values(SQLBind(AlertTracker.key(alert.rule, alert.labels)), SQLBind(actor), SQLBind(now), SQLBind(comment))
                .onConflict(with: ["alert_key"]) { $0.set(excludedValueOf: "by").set(excludedValueOf: "at").set(excludedValueOf: "comment") }
                .run()
            try await Self.record(
                db, at: now, rule: alert.rule, labels: alert.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ","),
                event: "acknowledged by \(actor)" + (comment.isEmpty ? "" : ": \(comment)"), severity: alert.severity.rawValue)
        }
    }

    /// Alert key → who acknowledged it.
    public func acknowledgements() async throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try await database.sql.select().columns("alert_key", "by").from("alert_acks").all().map {
                (try $0.decode(column: "alert_key", as: String.self), try $0.decode(column: "by", as: String.self))
            })
    }

    /// Alert key → who acknowledged it and when.
    public func acknowledgementTimes() async throws -> [String: (by: String, at: Int64)] {
        Dictionary(
            uniqueKeysWithValues: try await database.sql.select().columns("alert_key", "by", "at").from("alert_acks").all().map {
                (try $0.decode(column: "alert_key", as: String.self), (try $0.decode(column: "by", as: String.self), try $0.decode(column: "at", as: Int64.self)))
            })
    }

    static func record(_ db: any SQLDatabase, at now: Int64, rule: String, labels: String, event: String, severity: String = "") async throws {
        try await db.insert(into: "alert_history").columns("at", "rule", "labels", "event", "severity", "value")
            .values(SQLBind(now), SQLBind(rule), SQLBind(labels), SQLBind(event), SQLBind(severity), SQLBind(Double?.none))
            .run()
    }
}
