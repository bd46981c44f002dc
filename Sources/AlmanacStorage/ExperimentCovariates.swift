import AlmanacExperiments
import SQLKit

extension SQLExperimentStore {
    /// A metric with CUPED's covariate, per variant: each user's value after exposure (as
    /// `moments` counts it) and the same measure over `window` ms before their exposure, with the
    /// sums of both, their squares and their products; θ is set when a pair is compared.
    public func adjusted(
        flagKey: String, event: String, kind: ExperimentSpec.Metric.Kind, window: Int64, until: Int64
    ) async throws
        -> [String: Statistic]
    {
        let rows = try await database.sql.raw(
            """
            SELECT x.variant AS variant, COUNT(*) AS n,
                   SUM(COALESCE(c.total, 0.0)) AS post, SUM(COALESCE(c.total, 0.0) * COALESCE(c.total, 0.0)) AS post_squares,
                   SUM(COALESCE(p.total, 0.0)) AS pre, SUM(COALESCE(p.total, 0.0) * COALESCE(p.total, 0.0)) AS pre_squares,
                   SUM(COALESCE(c.total, 0.0) * COALESCE(p.total, 0.0)) AS products,
                   SUM(CASE WHEN c.total IS NULL THEN 0.0 ELSE 1.0 END) AS converted,
                   SUM(CASE WHEN p.total IS NULL THEN 0.0 ELSE 1.0 END) AS pre_converted,
                   SUM(CASE WHEN c.total IS NULL OR p.total IS NULL THEN 0.0 ELSE 1.0 END) AS both_converted
            FROM experiment_exposures x
            LEFT JOIN (\(Self.perUser(flagKey, event, after: true, window: window, until: until))) c ON c.targeting_key = x.targeting_key
            LEFT JOIN (\(Self.perUser(flagKey, event, after: false, window: window, until: until))) p ON p.targeting_key = x.targeting_key
            WHERE x.flag_key = \(bind: flagKey) AND x.excluded IS NULL AND x.first_at <= \(bind: until)
              AND x.targeting_key NOT IN (\(Self.multiple(flagKey, until)))
            GROUP BY x.variant
            """
        ).all()
        var out: [String: Statistic] = [:]
        for row in rows {
            func value(_ column: String) throws -> Double { try row.decode(column: column, as: Double.self) }
            let n = try row.decode(column: "n", as: Int.self)
            let statistic: Statistic
            if kind == .proportion {
                // Converted or not, in each period: a unit's square is itself, its product whether both.
                statistic = .adjusted(
                    post: .proportion(n: n, conversions: try value("converted")), pre: .proportion(n: n, conversions: try value("pre_converted")),
                    sumProducts: try value("both_converted"), theta: 0)
            } else {
                statistic = .adjusted(
                    post: Moments(n: n, sum: try value("post"), sumSquares: try value("post_squares")),
                    pre: Moments(n: n, sum: try value("pre"), sumSquares: try value("pre_squares")), sumProducts: try value("products"), theta: 0)
            }
            out[try row.decode(column: "variant", as: String.self)] = statistic
        }
        return out
    }

    /// Each user's sum of `event` after their exposure (up to `until`), or in the `window` before it.
    static func perUser(_ flagKey: String, _ event: String, after: Bool, window: Int64, until: Int64) -> SQLQueryString {
        let period: SQLQueryString =
            after ? "e.at >= f.first_at AND e.at <= \(bind: until)" : "e.at < f.first_at AND e.at >= f.first_at - \(bind: window)"
        return """
            SELECT e.targeting_key AS targeting_key, SUM(e.value) AS total FROM experiment_events e
            JOIN experiment_exposures f ON f.flag_key = e.flag_key AND f.targeting_key = e.targeting_key
            WHERE e.flag_key = \(bind: flagKey) AND e.event = \(bind: event) AND \(period) AND f.excluded IS NULL
            GROUP BY e.targeting_key
            """
    }
}
