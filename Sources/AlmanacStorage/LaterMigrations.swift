import SQLKit

extension Migrations {
    /// Migrations from 16 on (the first fifteen fill `Migrations.swift`).
    static let later: [Migration] = [
        Migration(version: 16, name: "experiments: each targeting key's first exposure to each variant, and conversion events by id") { db in
            try await db.create(table: "experiment_exposures").ifNotExists()
                .column("flag_key", type: .text, .notNull)
                .column("targeting_key", type: .text, .notNull)
                .column("variant", type: .text, .notNull)
                .column("first_at", type: .bigint, .notNull)
                .column("excluded", type: .text)
                .primaryKey("flag_key", "targeting_key", "variant")
                .run()
            try await db.create(table: "experiment_events").ifNotExists()
                .column("id", type: .text, .primaryKey(autoIncrement: false))
                .column("flag_key", type: .text, .notNull)
                .column("targeting_key", type: .text, .notNull)
                .column("variant", type: .text, .notNull)
                .column("event", type: .text, .notNull)
                .column("value", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("at", type: .bigint, .notNull)
                .run()
            try await db.create(index: "experiment_events_key").on("experiment_events").column("flag_key").column("event")
                .column("targeting_key").run()
        },
        Migration(version: 17, name: "flag ramps: where each flag's ramp stands, read by every replica with the other run-time changes") { db in
            try await db.create(table: "flag_ramps").ifNotExists()
                .column("flag_key", type: .text, .primaryKey(autoIncrement: false))
                .column("step", type: .bigint, .notNull)
                .column("percent", type: .custom(SQLRaw("DOUBLE PRECISION")), .notNull)
                .column("status", type: .text, .notNull)
                .column("since", type: .bigint, .notNull)
                .column("reason", type: .text)
                .run()
        },
    ]
}
