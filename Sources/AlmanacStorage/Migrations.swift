import SQLKit

/// Versioned schema changes, applied in order once each and recorded in `schema_migrations`.
/// Written with SQLKit's builders so one definition serves SQLite and PostgreSQL.
enum Migrations {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var apply: @Sendable (any SQLDatabase) async throws -> Void
    }

    static let all: [Migration] = [
        Migration(version: 1, name: "flag runtime state, audit log, evaluation counts") { db in
            try await db.create(table: "flag_overrides").ifNotExists()
                .column("flag_key", type: .text, .primaryKey(autoIncrement: false))
                .column("state", type: .text)
                .column("default_variant", type: .text)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await db.create(table: "flag_pins").ifNotExists()
                .column("flag_key", type: .text, .notNull)
                .column("subject", type: .text, .notNull)
                .column("variant", type: .text, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .primaryKey("flag_key", "subject")
                .run()
            try await db.create(table: "audit_log").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("at", type: .bigint, .notNull)
                .column("actor", type: .text, .notNull)
                .column("action", type: .text, .notNull)
                .column("flag_key", type: .text, .notNull)
                .column("subject", type: .text)
                .column("before", type: .text)
                .column("after", type: .text)
                .column("comment", type: .text, .notNull)
                .run()
            try await db.create(index: "audit_log_flag").on("audit_log").column("flag_key").run()
            try await db.create(table: "flag_evaluations").ifNotExists()
                .column("flag_key", type: .text, .notNull)
                .column("variant", type: .text, .notNull)
                .column("hour", type: .bigint, .notNull)
                .column("count", type: .bigint, .notNull)
                .primaryKey("flag_key", "variant", "hour")
                .run()
        },
        Migration(version: 2, name: "series and compressed sample chunks") { db in
            try await db.create(table: "series").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("fingerprint", type: .text, .notNull, .unique)
                .column("name", type: .text, .notNull)
                .column("labels", type: .text, .notNull)
                .run()
            try await db.create(index: "series_name").on("series").column("name").run()
            try await db.create(table: "chunks").ifNotExists()
                .column("series_id", type: .bigint, .notNull)
                .column("start_ms", type: .bigint, .notNull)
                .column("end_ms", type: .bigint, .notNull)
                .column("sample_count", type: .int, .notNull)
                .column("data", type: .blob, .notNull)
                .primaryKey("series_id", "start_ms")
                .run()
        },
        Migration(version: 3, name: "alert state, history and notification outbox") { db in
            try await db.create(table: "alert_state").ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("data", type: .text, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await db.create(table: "alert_history").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("at", type: .bigint, .notNull)
                .column("rule", type: .text, .notNull)
                .column("labels", type: .text, .notNull)
                .column("event", type: .text, .notNull)
                .column("severity", type: .text, .notNull)
                .column("value", type: .custom(SQLRaw("DOUBLE PRECISION")))
                .run()
            try await db.create(table: "notification_outbox").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("created_at", type: .bigint, .notNull)
                .column("receiver", type: .text, .notNull)
                .column("url", type: .text, .notNull)
                .column("payload", type: .text, .notNull)
                .column("attempts", type: .int, .notNull)
                .column("next_attempt_at", type: .bigint, .notNull)
                .column("delivered_at", type: .bigint)
                .column("last_error", type: .text)
                .run()
        },
        Migration(version: 4, name: "rollups of series and how far each has come") { db in
            let double = SQLDataType.custom(SQLRaw("DOUBLE PRECISION"))
            try await db.create(table: "rollups").ifNotExists()
                .column("series_id", type: .bigint, .notNull)
                .column("step_ms", type: .bigint, .notNull)
                .column("start_ms", type: .bigint, .notNull)
                .column("min", type: double, .notNull)
                .column("max", type: double, .notNull)
                .column("sum", type: double, .notNull)
                .column("count", type: .bigint, .notNull)
                .column("last", type: double, .notNull)
                .primaryKey("series_id", "step_ms", "start_ms")
                .run()
            try await db.create(table: "rollup_progress").ifNotExists()
                .column("series_id", type: .bigint, .notNull)
                .column("step_ms", type: .bigint, .notNull)
                .column("done_until_ms", type: .bigint, .notNull)
                .primaryKey("series_id", "step_ms")
                .run()
        },
        Migration(version: 5, name: "silences and acknowledgements") { db in
            try await db.create(table: "silences").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("matchers", type: .text, .notNull)
                .column("starts_at", type: .bigint, .notNull)
                .column("ends_at", type: .bigint, .notNull)
                .column("created_by", type: .text, .notNull)
                .column("comment", type: .text, .notNull)
                .column("reminded_at", type: .bigint)
                .run()
            try await db.create(table: "alert_acks").ifNotExists()
                .column("alert_key", type: .text, .primaryKey(autoIncrement: false))
                .column("by", type: .text, .notNull)
                .column("at", type: .bigint, .notNull)
                .column("comment", type: .text, .notNull)
                .run()
        },
        Migration(version: 6, name: "QA states of revisions, rollouts and their locks") { db in
            try await db.create(table: "qa_states").ifNotExists()
                .column("revision", type: .text, .primaryKey(autoIncrement: false))
                .column("state", type: .text, .notNull)
                .column("actor", type: .text, .notNull)
                .column("at", type: .bigint, .notNull)
                .column("comment", type: .text, .notNull)
                .run()
            try await db.create(table: "qa_history").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("revision", type: .text, .notNull)
                .column("state", type: .text, .notNull)
                .column("actor", type: .text, .notNull)
                .column("at", type: .bigint, .notNull)
                .column("comment", type: .text, .notNull)
                .run()
            try await db.create(table: "rollouts").ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("environment", type: .text, .notNull)
                .column("phase", type: .text, .notNull)
                .column("data", type: .text, .notNull)
                .column("started_at", type: .bigint, .notNull)
                .column("updated_at", type: .bigint, .notNull)
                .run()
            try await db.create(table: "rollout_locks").ifNotExists()
                .column("environment", type: .text, .primaryKey(autoIncrement: false))
                .column("holder", type: .text, .notNull)
                .column("lease_until", type: .bigint, .notNull)
                .run()
        },
        Migration(version: 7, name: "revisions hosts were seen running") { db in
            try await db.create(table: "host_revisions").ifNotExists()
                .column("environment", type: .text, .notNull)
                .column("host", type: .text, .notNull)
                .column("revision", type: .text)
                .column("since", type: .bigint, .notNull)
                .column("checked_at", type: .bigint, .notNull)
                .primaryKey("environment", "host")
                .run()
        },
        Migration(version: 8, name: "leases for work done once per cluster, replicas, and the series log") { db in
            try await db.create(table: "leases").ifNotExists()
                .column("name", type: .text, .primaryKey(autoIncrement: false))
                .column("holder", type: .text, .notNull)
                .column("since_ms", type: .bigint, .notNull)
                .column("expires_ms", type: .bigint, .notNull)
                .column("term", type: .bigint, .notNull)
                .run()
            try await db.create(table: "replicas").ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("address", type: .text, .notNull)
                .column("started_ms", type: .bigint, .notNull)
                .column("seen_ms", type: .bigint, .notNull)
                .run()
            try await db.create(table: "series_log").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("newest_ms", type: .bigint, .notNull)
                .column("data", type: .blob, .notNull)
                .run()
        },
        Migration(version: 9, name: "load test runs") { db in
            try await db.create(table: "load_runs").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("test", type: .text, .notNull)
                .column("service", type: .text, .notNull)
                .column("kind", type: .text, .notNull)
                .column("started_ms", type: .bigint, .notNull)
                .column("revision", type: .text)
                .column("outcome", type: .text, .notNull)
                .column("record", type: .text, .notNull)
                .run()
            try await db.create(index: "load_runs_test").on("load_runs").column("test").column("started_ms").run()
        },
        Migration(version: 10, name: "checks' current states and one timeline of their changes and recoveries") { db in
            try await db.create(table: "check_states").ifNotExists()
                .column("check_name", type: .text, .primaryKey(autoIncrement: false))
                .column("state", type: .text, .notNull)
                .column("updated_ms", type: .bigint, .notNull)
                .run()
            try await db.create(table: "timeline").ifNotExists()
                .column("id", type: .bigint, .primaryKey(autoIncrement: true))
                .column("at_ms", type: .bigint, .notNull)
                .column("check_name", type: .text, .notNull)
                .column("entity", type: .text, .notNull)
                .column("event", type: .text, .notNull)
                .column("status", type: .text, .notNull)
                .column("message", type: .text, .notNull)
                .column("output", type: .text, .notNull)
                .run()
            try await db.create(index: "timeline_check").on("timeline").column("check_name").column("at_ms").run()
        },
    ]

    static func run(on database: Database) async throws {
        let backend = database.backend
        // One transaction under one lock covers everything, creating the migrations table
        // included: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a second session
        // doing the same, so replicas started at the same moment wait for the first and then
        // find the work done. DDL is transactional on both backends.
        try await database.transaction { db in
            if backend == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7340211)").run() }
            try await db.create(table: "schema_migrations").ifNotExists()
                .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .run()
            for migration in all {
                let done = try await db.select().column("version").from("schema_migrations")
                    .where("version", .equal, migration.version).first()
                if done != nil { continue }
                try await migration.apply(db)
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name").values(SQLBind(migration.version), SQLBind(migration.name)).run()
            }
        }
    }
}
