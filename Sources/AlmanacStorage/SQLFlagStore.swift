import AlmanacConfig
import AlmanacFlags
import SQLKit

/// `FlagStore` on the shared SQL layer: the same queries on SQLite and PostgreSQL.
public struct SQLFlagStore: FlagStore {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func runtimeState() async throws -> RuntimeState {
        var state = RuntimeState()
        for row in try await database.sql.select().columns("flag_key", "state", "default_variant").from("flag_overrides").all() {
            let key = try row.decode(column: "flag_key", as: String.self)
            let stateText = try row.decodeNil(column: "state") ? nil : try row.decode(column: "state", as: String.self)
            let variant = try row.decodeNil(column: "default_variant") ? nil : try row.decode(column: "default_variant", as: String.self)
            state.overrides[key] = FlagOverride(state: stateText.flatMap(FlagState.init(rawValue:)), defaultVariant: variant)
        }
        for row in try await database.sql.select().columns("flag_key", "subject", "variant").from("flag_pins").all() {
            let key = try row.decode(column: "flag_key", as: String.self)
            guard let subject = PinSubject(try row.decode(column: "subject", as: String.self)) else { continue }
            state.pins[key, default: [:]][subject] = try row.decode(column: "variant", as: String.self)
        }
        for row in try await database.sql.select().columns("flag_key", "step", "percent", "status", "since", "reason").from("flag_ramps").all() {
            guard let status = RampPosition.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            state.ramps[try row.decode(column: "flag_key", as: String.self)] = RampPosition(
                step: Int(try row.decode(column: "step", as: Int64.self)), percent: try row.decode(column: "percent", as: Double.self),
                status: status, since: try row.decode(column: "since", as: Int64.self),
                reason: try row.decodeNil(column: "reason") ? nil : try row.decode(column: "reason", as: String.self))
        }
        return state
    }

    public func apply(_ change: RuntimeChange, actor: String, comment: String, at milliseconds: Int64) async throws -> AuditEntry {
        try await database.transaction { db in
            let before = try await Self.describe(change, in: db)
            try await Self.write(change, to: db, at: milliseconds)
            let after = change.after
            let id =
                try await db.insert(into: "audit_log")
                .columns("at", "actor", "action", "flag_key", "subject", "before", "after", "comment")
                .values(
                    SQLBind(milliseconds), SQLBind(actor), SQLBind(change.action), SQLBind(change.flagKey),
                    SQLBind(change.subject?.description), SQLBind(before), SQLBind(after), SQLBind(comment)
                )
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self) ?? 0
            return AuditEntry(
                id: id, at: milliseconds, actor: actor, action: change.action, flagKey: change.flagKey,
                subject: change.subject?.description, before: before, after: after, comment: comment)
        }
    }

    /// The value the change replaces, for the audit log.
    private static func describe(_ change: RuntimeChange, in db: any SQLDatabase) async throws -> String? {
        switch change {
        case .setState(let key, _), .setDefaultVariant(let key, _):
            let column = change.action == "set-default-variant" ? "default_variant" : "state"
            let row = try await db.select().column(column).from("flag_overrides").where("flag_key", .equal, key).first()
            guard let row, try !row.decodeNil(column: column) else { return nil }
            return try row.decode(column: column, as: String.self)
        case .pin(let key, let subject, _), .unpin(let key, let subject):
            return try await db.select().column("variant").from("flag_pins")
                .where("flag_key", .equal, key).where("subject", .equal, subject.description)
                .first(decodingColumn: "variant", as: String.self)
        case .ramp(let key, _, _):
            let row = try await db.select().columns("percent", "status", "reason").from("flag_ramps").where("flag_key", .equal, key).first()
            guard let row else { return nil }
            return RampPosition(
                step: 0, percent: try row.decode(column: "percent", as: Double.self),
                status: RampPosition.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .held, since: 0,
                reason: try row.decodeNil(column: "reason") ? nil : try row.decode(column: "reason", as: String.self)
            ).summary
        }
    }

    private static func write(_ change: RuntimeChange, to db: any SQLDatabase, at now: Int64) async throws {
        switch change {
        case .setState(let key, let state):
            try await db.insert(into: "flag_overrides").columns("flag_key", "state", "updated_at")
                .values(SQLBind(key), SQLBind(state?.rawValue), SQLBind(now))
                .onConflict(with: ["flag_key"]) { $0.set(excludedValueOf: "state").set(excludedValueOf: "updated_at") }
                .run()
        case .setDefaultVariant(let key, let variant):
            try await db.insert(into: "flag_overrides").columns("flag_key", "default_variant", "updated_at")
                .values(SQLBind(key), SQLBind(variant), SQLBind(now))
                .onConflict(with: ["flag_key"]) { $0.set(excludedValueOf: "default_variant").set(excludedValueOf: "updated_at") }
                .run()
        case .pin(let key, let subject, let variant):
            try await db.insert(into: "flag_pins").columns("flag_key", "subject", "variant", "updated_at")
                .values(SQLBind(key), SQLBind(subject.description), SQLBind(variant), SQLBind(now))
                .onConflict(with: ["flag_key", "subject"]) { $0.set(excludedValueOf: "variant").set(excludedValueOf: "updated_at") }
                .run()
        case .unpin(let key, let subject):
            try await db.delete(from: "flag_pins").where("flag_key", .equal, key).where("subject", .equal, subject.description).run()
        case .ramp(let key, let position, _):
            try await db.insert(into: "flag_ramps").columns("flag_key", "step", "percent", "status", "since", "reason")
                .values(
                    SQLBind(key), SQLBind(Int64(position.step)), SQLBind(position.percent), SQLBind(position.status.rawValue),
                    SQLBind(position.since), SQLBind(position.reason)
                )
                .onConflict(with: ["flag_key"]) {
                    $0.set(excludedValueOf: "step").set(excludedValueOf: "percent").set(excludedValueOf: "status")
                        .set(excludedValueOf: "since").set(excludedValueOf: "reason")
                }
                .run()
        }
    }

    public func auditLog(flagKey: String?, limit: Int) async throws -> [AuditEntry] {
        var query = Self.auditColumns(database.sql.select())
        if let flagKey { query = query.where("flag_key", .equal, flagKey) }
        return try await query.orderBy("id", .descending).limit(limit).all().map(Self.entry)
    }

    /// Changes that reach everyone (state and default variant, not one person's pin) between
    /// `from` and `to`, oldest first: what charts mark.
    public func changes(from: Int64, to: Int64, limit: Int = 500) async throws -> [AuditEntry] {
        try await Self.auditColumns(database.sql.select()).where("at", .greaterThanOrEqual, from).where("at", .lessThanOrEqual, to)
            .where("action", .notIn, ["pin", "unpin"]).orderBy("id", .ascending).limit(limit).all().map(Self.entry)
    }

    private static func auditColumns(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
        query.columns("id", "at", "actor", "action", "flag_key", "subject", "before", "after", "comment").from("audit_log")
    }

    private static func entry(_ row: any SQLRow) throws -> AuditEntry {
        func optional(_ column: String) throws -> String? {
            try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
        }
        return AuditEntry(
            id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self), action: try row.decode(column: "action", as: String.self),
            flagKey: try row.decode(column: "flag_key", as: String.self), subject: try optional("subject"),
            before: try optional("before"), after: try optional("after"), comment: try row.decode(column: "comment", as: String.self))
    }

    public func latestChangeID() async throws -> Int64 {
        let row = try await database.sql.raw("SELECT COALESCE(MAX(id), 0) AS latest FROM audit_log").first()
        return try row?.decode(column: "latest", as: Int64.self) ?? 0
    }

    public func record(_ counts: [EvaluationCount]) async throws {
        guard !counts.isEmpty else { return }
        try await database.transaction { db in
            for count in counts {
                try await db.insert(into: "flag_evaluations").columns("flag_key", "variant", "hour", "count")
                    .values(SQLBind(count.flagKey), SQLBind(count.variant), SQLBind(count.hour), SQLBind(count.count))
                    .onConflict(with: ["flag_key", "variant", "hour"]) {
                        $0.set("count", to: SQLRaw("flag_evaluations.count + excluded.count"))
                    }
                    .run()
            }
        }
    }

    public func usage(sinceHour hour: Int64) async throws -> [String: FlagUsage] {
        var usage: [String: FlagUsage] = [:]
        let rows = try await database.sql.raw(
            """
            SELECT flag_key, variant, CAST(SUM(count) AS BIGINT) AS total, MAX(hour) AS last_hour
            FROM flag_evaluations WHERE hour >= \(bind: hour) GROUP BY flag_key, variant
            """
        ).all()
        for row in rows {
            let key = try row.decode(column: "flag_key", as: String.self)
            let variant = try row.decode(column: "variant", as: String.self)
            let total = try row.decode(column: "total", as: Int64.self)
            let last = try row.decode(column: "last_hour", as: Int64.self)
            usage[key, default: FlagUsage()].add(variant: variant, count: total, hour: last)
        }
        return usage
    }
}
