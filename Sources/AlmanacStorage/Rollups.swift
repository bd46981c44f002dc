import AlmanacMetrics
import SQLKit

/// What one compaction did, for the log and the storage API.
public struct CompactionResult: Sendable, Equatable {
    public var bucketsWritten = 0
    public var seriesRolledUp = 0
}

extension SQLSeriesStore {
    /// Steps end this long before they are rolled up, so a slow scrape's samples are in.
    static let rollupGrace: Int64 = 300_000

    /// Rolls raw samples up into every level's steps that ended before `now`, then drops raw
    /// chunks and rollups older than the policy keeps them. A raw chunk goes only once every
    /// level has rolled it up, so nothing is dropped that no rollup holds.
    public func compact(policy: RetentionPolicy, now: Int64) async throws -> CompactionResult {
        var result = CompactionResult()
        for stored in try await series() {
            let written = try await rollUp(seriesID: stored.id, levels: policy.rollups, now: now)
            result.bucketsWritten += written
            if written > 0 { result.seriesRolledUp += 1 }
        }
        let steps = policy.rollups.map(\.step)
        try await database.transaction { db in
            if !steps.isEmpty {
                // A chunk is kept until its series' slowest level has passed its end.
                try await db.raw(
                    """
                    DELETE FROM chunks WHERE end_ms < \(bind: now - policy.raw) AND end_ms < COALESCE(
                      (SELECT MIN(p.done_until_ms) FROM rollup_progress p WHERE p.series_id = chunks.series_id), 0)
                    """
                ).run()
            } else {
                try await db.delete(from: "chunks").where("end_ms", .lessThan, now - policy.raw).run()
            }
            for level in policy.rollups {
                try await db.delete(from: "rollups").where("step_ms", .equal, level.step).where("start_ms", .lessThan, now - level.keep).run()
            }
        }
        return result
    }

    /// Writes the buckets of one series from where each level stopped to the last whole step.
    func rollUp(seriesID: Int64, levels: [RetentionPolicy.Level], now: Int64) async throws -> Int {
        guard !levels.isEmpty else { return 0 }
        let progress = Dictionary(
            uniqueKeysWithValues: try await database.sql.select().columns("step_ms", "done_until_ms")
                .from("rollup_progress").where("series_id", .equal, seriesID).all()
                .map { (try $0.decode(column: "step_ms", as: Int64.self), try $0.decode(column: "done_until_ms", as: Int64.self)) })
        guard
            let oldest = try await database.sql.select().column(SQLFunction("MIN", args: SQLColumn("start_ms")), as: "oldest")
                .from("chunks").where("series_id", .equal, seriesID).first(decodingColumn: "oldest", as: Int64?.self) ?? nil
        else { return 0 }
        var plans: [(step: Int64, from: Int64, to: Int64)] = []
        for level in levels {
            let from = progress[level.step] ?? oldest - ((oldest % level.step) + level.step) % level.step
            let end = now - Self.rollupGrace
            let to = end - ((end % level.step) + level.step) % level.step
            if to > from { plans.append((level.step, from, to)) }
        }
        guard let earliest = plans.map(\.from).min(), let latest = plans.map(\.to).max() else { return 0 }
        let samples = try await self.samples(seriesID: seriesID, from: earliest, to: latest - 1)
        let writes = plans.map { plan in
            (plan, Rollup.buckets(samples.lazy.filter { $0.timestamp >= plan.from && $0.timestamp < plan.to }, step: plan.step))
        }
        try await database.transaction { db in
            for (plan, buckets) in writes {
                for batch in stride(from: 0, to: buckets.count, by: 200) {
                    let insert = db.insert(into: "rollups").columns("series_id", "step_ms", "start_ms", "min", "max", "sum", "count", "last")
                    for b in buckets[batch..<min(batch + 200, buckets.count)] {
                        insert.values(
                            SQLBind(seriesID), SQLBind(plan.step), SQLBind(b.start), SQLBind(b.minimum), SQLBind(b.maximum), SQLBind(b.sum),
                            SQLBind(Int64(b.count)), SQLBind(b.last))
                    }
                    try await insert.onConflict(with: ["series_id", "step_ms", "start_ms"]) {
                        $0.set(excludedValueOf: "min").set(excludedValueOf: "max").set(excludedValueOf: "sum")
                            .set(excludedValueOf: "count").set(excludedValueOf: "last")
                    }.run()
                }
                try await db.insert(into: "rollup_progress").columns("series_id", "step_ms", "done_until_ms")
                    .values(SQLBind(seriesID), SQLBind(plan.step), SQLBind(plan.to))
                    .onConflict(with: ["series_id", "step_ms"]) { $0.set(excludedValueOf: "done_until_ms") }
                    .run()
            }
        }
        return writes.reduce(0) { $0 + $1.1.count }
    }

    /// A series' buckets of one step whose start is in `[from, to]`.
    public func rollups(seriesID: Int64, step: Int64, from: Int64, to: Int64) async throws -> [RollupBucket] {
        try await database.sql.select().columns("start_ms", "min", "max", "sum", "count", "last").from("rollups")
            .where("series_id", .equal, seriesID).where("step_ms", .equal, step)
            .where("start_ms", .greaterThanOrEqual, from).where("start_ms", .lessThanOrEqual, to)
            .orderBy("start_ms").all().map { row in
                RollupBucket(
                    start: try row.decode(column: "start_ms", as: Int64.self), minimum: try row.decode(column: "min", as: Double.self),
                    maximum: try row.decode(column: "max", as: Double.self), sum: try row.decode(column: "sum", as: Double.self),
                    count: Int(try row.decode(column: "count", as: Int64.self)), last: try row.decode(column: "last", as: Double.self))
            }
    }

    /// Samples for long windows: raw where raw samples remain, and before them each rollup's
    /// step means (finest first), one value per step at its start.
    public func history(seriesID: Int64, from: Int64, to: Int64, steps: [Int64]) async throws -> [Sample] {
        var out = try await samples(seriesID: seriesID, from: from, to: to)
        for step in steps.sorted() {
            let boundary = out.first?.timestamp ?? to + 1
            guard boundary > from else { break }
            let older = try await rollups(seriesID: seriesID, step: step, from: from, to: boundary - 1)
                .filter { $0.start + step <= boundary }
            out = older.map { Sample(timestamp: $0.start, value: $0.mean) } + out
        }
        return out
    }
}
