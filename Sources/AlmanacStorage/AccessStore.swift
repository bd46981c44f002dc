import SQLKit

/// Sessions, sign-ins under way and named API tokens. Each is found by the SHA-256 of its
/// secret, so a copy of the database opens nothing; what a session or token grants is kept
/// as JSON the access service writes.
public struct AccessStore: Sendable {
    public struct Session: Sendable, Hashable {
        public var person: String
        public var idToken: String
        public var expires: Int64
    }

    public struct SignIn: Sendable, Hashable {
        public var browserHash: String
        public var nonce: String
        public var verifier: String
        public var returnTo: String
        public var redirectURI: String
        public var created: Int64

        public init(browserHash: String, nonce: String, verifier: String, returnTo: String, redirectURI: String, created: Int64) {
            self.browserHash = browserHash
            self.nonce = nonce
            self.verifier = verifier
            self.returnTo = returnTo
            self.redirectURI = redirectURI
            self.created = created
        }
    }

    public struct Token: Sendable, Hashable {
        public var id: Int64
        public var name: String
        public var grant: String
        public var createdBy: String
        public var created: Int64
        public var expires: Int64
        public var revoked: Int64
    }

    let database: Database

    public init(database: Database) { self.database = database }

    public func saveSession(hash: String, person: String, idToken: String, now: Int64, expires: Int64) async throws {
        try await database.sql.insert(into: "sessions").columns("id_hash", "person", "id_token", "created_ms", "expires_ms")
            .values(SQLBind(hash), SQLBind(person), SQLBind(idToken), SQLBind(now), SQLBind(expires)).run()
    }

    public func session(hash: String, now: Int64) async throws -> Session? {
        guard
            let row = try await database.sql.select().columns("person", "id_token", "expires_ms").from("sessions")
                .where("id_hash", .equal, hash).where("expires_ms", .greaterThan, now).first()
        else { return nil }
        return Session(
            person: try row.decode(column: "person", as: String.self), idToken: try row.decode(column: "id_token", as: String.self),
            expires: try row.decode(column: "expires_ms", as: Int64.self))
    }

    /// Ends a session; expired ones go at the same time.
    public func endSession(hash: String, now: Int64) async throws {
        try await database.sql.delete(from: "sessions").where("id_hash", .equal, hash).orWhere("expires_ms", .lessThan, now).run()
    }

    /// Keeps a sign-in under way; those started before `staleBefore` go, so the table stays small.
    public func saveSignIn(stateHash: String, _ signIn: SignIn, staleBefore: Int64) async throws {
        try await database.sql.delete(from: "sign_ins").where("created_ms", .lessThan, staleBefore).run()
        try await database.sql.insert(into: "sign_ins").columns(
            "state_hash", "browser_hash", "nonce", "verifier", "return_to", "redirect_uri", "created_ms"
        )
        .values(
            SQLBind(stateHash), SQLBind(signIn.browserHash), SQLBind(signIn.nonce), SQLBind(signIn.verifier), SQLBind(signIn.returnTo),
            SQLBind(signIn.redirectURI), SQLBind(signIn.created)
        ).run()
    }

    /// The sign-in a state belongs to, removed as it is taken so that a state works once;
    /// sign-ins started before `staleBefore` are dropped on the way.
    public func takeSignIn(stateHash: String, staleBefore: Int64) async throws -> SignIn? {
        try await database.transaction { db in
            let row = try await db.select().columns("browser_hash", "nonce", "verifier", "return_to", "redirect_uri", "created_ms").from("sign_ins")
                .where("state_hash", .equal, stateHash).first()
            try await db.delete(from: "sign_ins").where("state_hash", .equal, stateHash).orWhere("created_ms", .lessThan, staleBefore).run()
            guard let row else { return nil }
            return SignIn(
                browserHash: try row.decode(column: "browser_hash", as: String.self), nonce: try row.decode(column: "nonce", as: String.self),
                verifier: try row.decode(column: "verifier", as: String.self), returnTo: try row.decode(column: "return_to", as: String.self),
                redirectURI: try row.decode(column: "redirect_uri", as: String.self), created: try row.decode(column: "created_ms", as: Int64.self))
        }
    }

    public func saveToken(hash: String, name: String, grant: String, by creator: String, now: Int64, expires: Int64) async throws -> Int64 {
        let row = try await database.sql.insert(into: "api_tokens")
            .columns("name", "token_hash", "grant_json", "created_by", "created_ms", "expires_ms", "revoked_ms")
            .values(SQLBind(name), SQLBind(hash), SQLBind(grant), SQLBind(creator), SQLBind(now), SQLBind(expires), SQLBind(Int64(0)))
            .returning("id").first()
        return try row?.decode(column: "id", as: Int64.self) ?? 0
    }

    /// A token that is neither revoked nor expired.
    public func token(hash: String, now: Int64) async throws -> Token? {
        try await tokens(
            database.sql.select().where("token_hash", .equal, hash).where("revoked_ms", .equal, Int64(0))
                .where("expires_ms", .greaterThan, now)
        ).first
    }

    /// Every token, newest first, revoked and expired ones included.
    public func tokens() async throws -> [Token] {
        try await tokens(database.sql.select().orderBy("id", .descending))
    }

    /// Whether a token was there to revoke.
    public func revokeToken(id: Int64, now: Int64) async throws -> Bool {
        let found = try await database.sql.select().column("id").from("api_tokens").where("id", .equal, id).where("revoked_ms", .equal, Int64(0))
            .first()
        guard found != nil else { return false }
        try await database.sql.update("api_tokens").set("revoked_ms", to: now).where("id", .equal, id).run()
        return true
    }

    private func tokens(_ query: SQLSelectBuilder) async throws -> [Token] {
        try await query.columns("id", "name", "grant_json", "created_by", "created_ms", "expires_ms", "revoked_ms").from("api_tokens").all()
            .map { row in
                Token(
                    id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                    grant: try row.decode(column: "grant_json", as: String.self), createdBy: try row.decode(column: "created_by", as: String.self),
                    created: try row.decode(column: "created_ms", as: Int64.self), expires: try row.decode(column: "expires_ms", as: Int64.self),
                    revoked: try row.decode(column: "revoked_ms", as: Int64.self))
            }
    }
}
