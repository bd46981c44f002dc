import AlmanacExperiments
import SQLKit

/// Exposures and conversion events of experiments, and the per-variant sums their analysis
/// reads. Exposures are kept once per targeting key and variant (the first time); events once
/// per id, so a client that sends a batch twice counts it once.
public struct SQLExperimentStore: Sendable {
    public struct Exposure: Sendable, Hashable {
        public var flagKey: String
        public var targetingKey: String
        public var variant: String
        public var at: Int64
        /// Why the user is left out of the analysis (`pinned`, `opted-out`), or nil.
        public var excluded: String?

        public init(flagKey: String, targetingKey: String, variant: String, at: Int64, excluded: String? = nil) {
            self.flagKey = flagKey
            self.targetingKey = targetingKey
            self.variant = variant
            self.at = at
            self.excluded = excluded
        }
    }

    public struct Event: Sendable, Hashable {
        public var id: String
        public var flagKey: String
        public var targetingKey: String
        public var variant: String
        public var event: String
        public var value: Double
        public var at: Int64

        public init(id: String, flagKey: String, targetingKey: String, variant: String, event: String, value: Double, at: Int64) {
            self.id = id
            self.flagKey = flagKey
            self.targetingKey = targetingKey
            self.variant = variant
            self.event = event
            self.value = value
            self.at = at
        }
    }

    /// Who was exposed, in the analysis or not.
    public struct Population: Sendable, Hashable {
        public var users: [String: Int] = [:]
        /// Users left out, by why: `pinned`, `opted-out`, `several variants`.
        public var excluded: [String: Int] = [:]
        public var firstAt: Int64?
    }

    let database: Database

    public init(database: Database) { self.database = database }

    /// Stores exposures not seen before (the first one of a key and variant stays) and the
    /// events whose ids are new, in one transaction; returns how many events were new.
    @discardableResult
    public func record(_ exposures: [Exposure], events: [Event] = []) async throws -> Int {
        guard !exposures.isEmpty || !events.isEmpty else { return 0 }
        return try await database.transaction { db in
            for batch in stride(from: 0, to: exposures.count, by: 500) {
                let insert = db.insert(into: "experiment_exposures").columns("flag_key", "targeting_key", "variant", "first_at", "excluded")
                for e in exposures[batch..<min(batch + 500, exposures.count)] {
                    insert.values(SQLBind(e.flagKey), SQLBind(e.targetingKey), SQLBind(e.variant), SQLBind(e.at), SQLBind(e.excluded))
                }
                try await insert.ignoringConflicts().run()
            }
            return try await Self.insertNew(events, into: db)
        }
    }

    static func insertNew(_ events: [Event], into db: any SQLDatabase) async throws -> Int {
        let ids = Array(Set(events.map(\.id)))
        var seen = Set<String>()
        for batch in stride(from: 0, to: ids.count, by: 500) {
            seen.formUnion(
                try await db.select().column("id").from("experiment_events").where("id", .in, Array(ids[batch..<min(batch + 500, ids.count)])).all()
                    .map { try $0.decode(column: "id", as: String.self) })
        }
        var fresh: [Event] = []
        for event in events where seen.insert(event.id).inserted { fresh.append(event) }
        for batch in stride(from: 0, to: fresh.count, by: 500) {
            let insert = db.insert(into: "experiment_events").columns("id", "flag_key", "targeting_key", "variant", "event", "value", "at")
            for e in fresh[batch..<min(batch + 500, fresh.count)] {
                insert.values(
                    SQLBind(e.id), SQLBind(e.flagKey), SQLBind(e.targetingKey), SQLBind(e.variant), SQLBind(e.event), SQLBind(e.value), SQLBind(e.at))
            }
            try await insert.run()
        }
        return fresh.count
    }

    /// A decision on an experiment (ship, stop, keep running), in the flags' audit log.
    public func decide(flagKey: String, decision: String, actor: String, comment: String, at: Int64) async throws {
        try await database.sql.insert(into: "audit_log").columns("at", "actor", "action", "flag_key", "subject", "before", "after", "comment")
            .values(
                SQLBind(at), SQLBind(actor), SQLBind("experiment decision"), SQLBind(flagKey), SQLBind(String?.none), SQLBind(String?.none),
                SQLBind(decision), SQLBind(comment)
            ).run()
    }

    /// The decisions taken on an experiment, oldest first.
    public func decisions(flagKey: String) async throws -> [AuditEntry] {
        try await database.sql.select().columns("id", "at", "actor", "after", "comment").from("audit_log")
            .where("flag_key", .equal, flagKey).where("action", .equal, "experiment decision").orderBy("id").all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at", as: Int64.self),
                    actor: try row.decode(column: "actor", as: String.self), action: "experiment decision", flagKey: flagKey, subject: nil,
                    before: nil, after: try row.decode(column: "after", as: String?.self), comment: try row.decode(column: "comment", as: String.self)
                )
            }
    }

    /// Exposed users per variant up to `until` (ms), and those left out. A key seen in two
    /// variants (a pin set midway, a changed split) is left out: its outcome belongs to neither.
    public func population(flagKey: String, until: Int64) async throws -> Population {
        var population = Population()
        let rows = try await database.sql.raw(
            """
            SELECT variant, excluded, COUNT(*) AS users, MIN(first_at) AS first_at FROM experiment_exposures x
            WHERE flag_key = \(bind: flagKey) AND first_at <= \(bind: until)
              AND targeting_key NOT IN (\(Self.multiple(flagKey, until)))
            GROUP BY variant, excluded
            """
        ).all()
        for row in rows {
            let count = try row.decode(column: "users", as: Int.self)
            if let reason = try row.decode(column: "excluded", as: String?.self) {
                population.excluded[reason, default: 0] += count
            } else {
                population.users[try row.decode(column: "variant", as: String.self), default: 0] += count
            }
            let first = try row.decode(column: "first_at", as: Int64.self)
            population.firstAt = min(population.firstAt ?? first, first)
        }
        let several = try await database.sql.raw(
            "SELECT COUNT(*) AS n FROM (\(Self.multiple(flagKey, until))) m"
        ).first()
        let multiple = try several?.decode(column: "n", as: Int.self) ?? 0
        if multiple > 0 { population.excluded["several variants"] = multiple }
        return population
    }

    /// Keys exposed to more than one variant, as a subquery.
    static func multiple(_ flagKey: String, _ until: Int64) -> SQLQueryString {
        """
        SELECT targeting_key FROM experiment_exposures WHERE flag_key = \(bind: flagKey) AND first_at <= \(bind: until)
        GROUP BY targeting_key HAVING COUNT(*) > 1
        """
    }

    /// Per-variant sums of a metric over the users in the analysis: each user's events after
    /// their exposure and up to `until` add up to one value per user (0 without any).
    public func moments(flagKey: String, event: String, kind: ExperimentSpec.Metric.Kind, until: Int64) async throws -> [String: Moments] {
        let rows = try await database.sql.raw(
            """
            SELECT x.variant AS variant, COUNT(*) AS n, SUM(COALESCE(c.total, 0.0)) AS total,
                   SUM(COALESCE(c.total, 0.0) * COALESCE(c.total, 0.0)) AS squares,
                   SUM(CASE WHEN c.total IS NULL THEN 0.0 ELSE 1.0 END) AS converted
            FROM experiment_exposures x
            LEFT JOIN (
                SELECT e.targeting_key AS targeting_key, SUM(e.value) AS total FROM experiment_events e
                JOIN experiment_exposures f ON f.flag_key = e.flag_key AND f.targeting_key = e.targeting_key
                WHERE e.flag_key = \(bind: flagKey) AND e.event = \(bind: event) AND e.at >= f.first_at AND e.at <= \(bind: until)
                  AND f.excluded IS NULL
                GROUP BY e.targeting_key
            ) c ON c.targeting_key = x.targeting_key
            WHERE x.flag_key = \(bind: flagKey) AND x.excluded IS NULL AND x.first_at <= \(bind: until)
              AND x.targeting_key NOT IN (\(Self.multiple(flagKey, until)))
            GROUP BY x.variant
            """
        ).all()
        var out: [String: Moments] = [:]
        for row in rows {
            let n = try row.decode(column: "n", as: Int.self)
            let variant = try row.decode(column: "variant", as: String.self)
            switch kind {
            case .proportion: out[variant] = .proportion(n: n, conversions: try row.decode(column: "converted", as: Double.self))
            case .mean:
                out[variant] = Moments(
                    n: n, sum: try row.decode(column: "total", as: Double.self), sumSquares: try row.decode(column: "squares", as: Double.self))
            case .counter, .ratio: break  // read from series, not from events
            }
        }
        return out
    }
}
