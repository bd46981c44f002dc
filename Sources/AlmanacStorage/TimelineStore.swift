import SQLKit

/// Checks' current states (kept across restarts, so a soft problem's attempts and the flap
/// history are not forgotten) and one timeline of what happened: state changes, flapping,
/// recoveries tried and escalations, each with its output.
public struct TimelineStore: Sendable {
    public struct Event: Sendable, Hashable, Codable {
        public var id: Int64
        public var at: Int64
        public var check: String
        public var entity: String
        /// `soft`, `hard`, `flapping started`, `flapping stopped`, `recovery`, `escalated`…
        public var event: String
        public var status: String
        public var message: String
        public var output: String

        public init(id: Int64 = 0, at: Int64, check: String, entity: String, event: String, status: String, message: String, output: String) {
            self.id = id
            self.at = at
            self.check = check
            self.entity = entity
            self.event = event
            self.status = status
            self.message = message
            self.output = output
        }
    }

    let database: Database

    public init(database: Database) { self.database = database }

    /// Stores a check's state (JSON) and, in the same transaction, its events.
    public func save(check: String, state: String, at: Int64, events: [Event]) async throws {
        try await database.transaction { db in
            try await db.delete(from: "check_states").where("check_name", .equal, check).run()
            try await db.insert(into: "check_states").columns("check_name", "state", "updated_ms")
                .values(SQLBind(check), SQLBind(state), SQLBind(at)).run()
            for event in events {
                try await db.insert(into: "timeline").columns("at_ms", "check_name", "entity", "event", "status", "message", "output")
                    .values(
                        SQLBind(event.at), SQLBind(event.check), SQLBind(event.entity), SQLBind(event.event), SQLBind(event.status),
                        SQLBind(event.message), SQLBind(event.output)
                    ).run()
            }
        }
    }

    /// Every check's saved state (JSON) by name.
    public func states() async throws -> [String: String] {
        let rows = try await database.sql.select().columns("check_name", "state").from("check_states").all()
        var states: [String: String] = [:]
        for row in rows { states[try row.decode(column: "check_name", as: String.self)] = try row.decode(column: "state", as: String.self) }
        return states
    }

    /// Events, newest first: of one check, or of all, optionally between two moments.
    public func events(check: String? = nil, from: Int64? = nil, to: Int64? = nil, limit: Int = 200) async throws -> [Event] {
        var query = database.sql.select().columns("id", "at_ms", "check_name", "entity", "event", "status", "message", "output").from("timeline")
        if let check { query = query.where("check_name", .equal, check) }
        if let from { query = query.where("at_ms", .greaterThanOrEqual, from) }
        if let to { query = query.where("at_ms", .lessThanOrEqual, to) }
        return try await query.orderBy("at_ms", .descending).orderBy("id", .descending).limit(limit).all().map { row in
            Event(
                id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at_ms", as: Int64.self),
                check: try row.decode(column: "check_name", as: String.self), entity: try row.decode(column: "entity", as: String.self),
                event: try row.decode(column: "event", as: String.self), status: try row.decode(column: "status", as: String.self),
                message: try row.decode(column: "message", as: String.self), output: try row.decode(column: "output", as: String.self))
        }
    }
}
