import SQLKit

/// Incidents as JSON (the on-call domain's `Incident`), with whether each is still open.
public struct SQLIncidentStore: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public struct Row: Sendable {
        public var id: String
        public var data: String
        public var open: Bool
    }

    /// Opens an incident unless one is open; returns the open one's id (new or not) and whether it is new.
    public func open(id: String, data: String, at now: Int64) async throws -> (id: String, created: Bool) {
        try await database.transaction { db in
            if let existing = try await db.select().column("id").from("incidents").where("open", .equal, 1).first() {
                return (try existing.decode(column: "id", as: String.self), false)
            }
            try await db.insert(into: "incidents").columns("id", "data", "open", "opened_ms").values(
                SQLBind(id), SQLBind(data), SQLBind(1), SQLBind(now)
            ).run()
            return (id, true)
        }
    }

    /// Opens an incident beside any open one (a person's call).
    public func create(id: String, data: String, at now: Int64) async throws {
        try await database.sql.insert(into: "incidents").columns("id", "data", "open", "opened_ms").values(
            SQLBind(id), SQLBind(data), SQLBind(1), SQLBind(now)
        ).run()
    }

    /// Changes one incident with `change`, in one transaction; nil when there is no such incident.
    public func update(id: String, _ change: @escaping @Sendable (String) throws -> (data: String, open: Bool)) async throws -> String? {
        try await database.transaction { db in
            guard let row = try await db.select().column("data").from("incidents").where("id", .equal, id).first() else { return nil }
            let changed = try change(try row.decode(column: "data", as: String.self))
            try await db.update("incidents").set("data", to: SQLBind(changed.data)).set("open", to: SQLBind(changed.open ? 1 : 0))
                .where("id", .equal, id).run()
            return changed.data
        }
    }

    public func incident(id: String) async throws -> Row? {
        try await rows(database.sql.select().columns("id", "data", "open").from("incidents").where("id", .equal, id)).first
    }

    /// Newest first.
    public func recent(limit: Int = 100) async throws -> [Row] {
        try await rows(database.sql.select().columns("id", "data", "open").from("incidents").orderBy("opened_ms", .descending).limit(limit))
    }

    private func rows(_ query: SQLSelectBuilder) async throws -> [Row] {
        try await query.all().map { row in
            Row(
                id: try row.decode(column: "id", as: String.self), data: try row.decode(column: "data", as: String.self),
                open: try row.decode(column: "open", as: Int.self) == 1)
        }
    }
}
