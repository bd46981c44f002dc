import SQLKit

/// Restore drill receipts (a few columns to list by, the receipt itself as JSON) and the drills
/// people asked for, which the replica running drills picks up.
public struct ReceiptStore: Sendable {
    public struct Row: Sendable, Hashable {
        public var id: Int64
        public var backup: String
        public var startedAt: Int64
        public var passed: Bool
        public var record: String
    }

    let database: Database

    public init(database: Database) { self.database = database }

    public func save(backup: String, startedAt: Int64, passed: Bool, record: String) async throws -> Int64 {
        let row = try await database.sql.insert(into: "drill_receipts").columns("backup", "started_ms", "passed", "record")
            .values(SQLBind(backup), SQLBind(startedAt), SQLBind(passed ? 1 : 0), SQLBind(record)).returning("id").first()
        return try row?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// Receipts of one backup (or all), newest first.
    public func receipts(backup: String? = nil, limit: Int = 100) async throws -> [Row] {
        var query = database.sql.select().columns("id", "backup", "started_ms", "passed", "record").from("drill_receipts")
        if let backup { query = query.where("backup", .equal, backup) }
        return try await query.orderBy("started_ms", .descending).orderBy("id", .descending).limit(limit).all().map { row in
            Row(
                id: try row.decode(column: "id", as: Int64.self), backup: try row.decode(column: "backup", as: String.self),
                startedAt: try row.decode(column: "started_ms", as: Int64.self), passed: try row.decode(column: "passed", as: Int64.self) == 1,
                record: try row.decode(column: "record", as: String.self))
        }
    }

    /// Asks for a drill of `backup` as soon as the drill runner's next round.
    public func request(backup: String, at time: Int64, by actor: String) async throws {
        try await database.transaction { db in
            try await db.delete(from: "drill_requests").where("backup", .equal, backup).run()
            try await db.insert(into: "drill_requests").columns("backup", "requested_ms", "requested_by")
                .values(SQLBind(backup), SQLBind(time), SQLBind(actor)).run()
        }
    }

    /// The drills asked for, removed as they are taken.
    public func takeRequests() async throws -> [String] {
        try await database.transaction { db in
            let names = try await db.select().column("backup").from("drill_requests").all().map { try $0.decode(column: "backup", as: String.self) }
            try await db.delete(from: "drill_requests").run()
            return names
        }
    }
}
