import SQLKit

/// Calendar feed links: each found by the SHA-256 of its secret, which is never stored.
public struct CalendarLinkStore: Sendable {
    public struct Link: Sendable, Equatable {
        public var id: Int64
        /// `rotation:NAME` or `person:NAME`.
        public var feed: String
        public var createdBy: String
        public var createdAt: Int64
        public var revokedAt: Int64?
    }

    let database: Database

    public init(database: Database) { self.database = database }

    public func save(hash: String, feed: String, by creator: String, now: Int64) async throws -> Int64 {
        let row = try await database.sql.insert(into: "calendar_links").columns("token_hash", "feed", "created_by", "created_ms", "revoked_ms")
            .values(SQLBind(hash), SQLBind(feed), SQLBind(creator), SQLBind(now), SQLBind(Int64(0))).returning("id").first()
        return try row?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// The link with this hash, unless revoked.
    public func link(hash: String) async throws -> Link? {
        try await links(database.sql.select().where("token_hash", .equal, hash).where("revoked_ms", .equal, Int64(0))).first
    }

    /// Every link, newest first, revoked ones included.
    public func links() async throws -> [Link] { try await links(database.sql.select().orderBy("id", .descending)) }

    /// Whether there was a link to revoke.
    public func revoke(id: Int64, now: Int64) async throws -> Bool {
        let found = try await database.sql.select().column("id").from("calendar_links").where("id", .equal, id).where("revoked_ms", .equal, Int64(0))
            .first()
        guard found != nil else { return false }
        try await database.sql.update("calendar_links").set("revoked_ms", to: now).where("id", .equal, id).run()
        return true
    }

    private func links(_ query: SQLSelectBuilder) async throws -> [Link] {
        try await query.columns("id", "feed", "created_by", "created_ms", "revoked_ms").from("calendar_links").all().map { row in
            let revoked = try row.decode(column: "revoked_ms", as: Int64.self)
            return Link(
                id: try row.decode(column: "id", as: Int64.self), feed: try row.decode(column: "feed", as: String.self),
                createdBy: try row.decode(column: "created_by", as: String.self), createdAt: try row.decode(column: "created_ms", as: Int64.self),
                revokedAt: revoked == 0 ? nil : revoked)
        }
    }
}
