import SQLKit

/// Load test runs: a few columns to list and compare by, and the run itself as JSON (its
/// summary, histograms, timeline, revisions and usage), written once, read whole.
public struct LoadRunStore: Sendable {
    public struct Row: Sendable, Hashable {
        public var id: Int64
        public var test: String
        public var service: String
        /// `run` or `saturate`.
        public var kind: String
        public var startedAt: Int64
        /// The revision the service's hosts ran, when they agreed on one.
        public var revision: String?
        /// `passed`, `failed` or `partial`.
        public var outcome: String
        public var record: String

        public init(id: Int64 = 0, test: String, service: String, kind: String, startedAt: Int64, revision: String?, outcome: String, record: String)
        {
            self.id = id
            self.test = test
            self.service = service
            self.kind = kind
            self.startedAt = startedAt
            self.revision = revision
            self.outcome = outcome
            self.record = record
        }
    }

    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = ["id", "test", "service", "kind", "started_ms", "revision", "outcome", "record"]

    /// Stores a run and returns its id.
    public func save(_ row: Row) async throws -> Int64 {
        let inserted = try await database.sql.insert(into: "load_runs")
            .columns("test", "service", "kind", "started_ms", "revision", "outcome", "record")
            .values(
                SQLBind(row.test), SQLBind(row.service), SQLBind(row.kind), SQLBind(row.startedAt), SQLBind(row.revision), SQLBind(row.outcome),
                SQLBind(row.record)
            )
            .returning("id").first()
        return try inserted?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// Runs of one test (or all), newest first.
    public func runs(test: String? = nil, limit: Int = 200) async throws -> [Row] {
        var query = database.sql.select().columns(Self.columns.map { SQLIdentifier($0) }).from("load_runs")
        if let test { query = query.where("test", .equal, test) }
        return try await query.orderBy("started_ms", .descending).orderBy("id", .descending).limit(limit).all().map(Self.row)
    }

    public func run(_ id: Int64) async throws -> Row? {
        try await database.sql.select().columns(Self.columns.map { SQLIdentifier($0) }).from("load_runs").where("id", .equal, id).first().map(
            Self.row)
    }

    static func row(_ row: any SQLRow) throws -> Row {
        Row(
            id: try row.decode(column: "id", as: Int64.self), test: try row.decode(column: "test", as: String.self),
            service: try row.decode(column: "service", as: String.self), kind: try row.decode(column: "kind", as: String.self),
            startedAt: try row.decode(column: "started_ms", as: Int64.self), revision: try row.decode(column: "revision", as: String?.self),
            outcome: try row.decode(column: "outcome", as: String.self), record: try row.decode(column: "record", as: String.self))
    }
}
