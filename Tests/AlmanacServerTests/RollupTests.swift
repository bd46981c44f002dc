import AlmanacMetrics
import AlmanacStorage
import AlmanacTesting
import Logging
import Testing

/// Rollups and retention on both backends: history older than the raw retention survives as
/// 5-minute and hourly min/max/mean/last, and nothing is dropped before it is rolled up.
@Suite struct RollupTests {
    static let day: Int64 = 86_400_000
    static let policy = RetentionPolicy(
        raw: 2 * day, rollups: [.init(step: 300_000, keep: 10 * day), .init(step: 3_600_000, keep: 30 * day)])

    func withSeries(_ backend: Backend, _ body: (SQLSeriesStore, SeriesHeads) async throws -> Void) async throws {
        try await backend.withDatabase { database in
            let (store, heads) = SQLSeriesStore.withHead(database: database, logDirectory: try TestServer.temporaryDirectory())
            try await body(store, heads)
        }
    }

    @Test(arguments: Backend.allCases)
    func oldSamplesLiveOnAsRollups(backend: Backend) async throws {
        try await withSeries(backend) { store, heads in
            // 40 days of one sample a minute: value = minute of the day, so every hour's
            // min/max/mean/last are known.
            let start: Int64 = 1_790_000_000_000 / Self.day * Self.day
            let now = start + 40 * Self.day
            let samples = stride(from: start, to: now, by: 60_000).map { t in
                (name: "disk_used_bytes", labels: [Label("server", "off1")], sample: Sample(timestamp: t, value: Double((t - start) / 60_000 % 1440)))
            }
            try await heads.append(samples)
            let id = try #require(try await store.series(named: "disk_used_bytes").first?.id)

            let result = try await store.compact(policy: Self.policy, now: now)
            #expect(result.seriesRolledUp == 1)
            // Raw samples: only the last 2 days (and the chunk straddling that edge) remain.
            let raw = try await store.samples(seriesID: id, from: start, to: now)
            #expect(raw.first!.timestamp >= now - 2 * Self.day - 2 * 3_600_000 && raw.first!.timestamp <= now - 2 * Self.day)
            // 5-minute buckets for the last 10 days, hourly for the last 30.
            let fine = try await store.rollups(seriesID: id, step: 300_000, from: start, to: now)
            #expect(fine.first?.start == now - 10 * Self.day)
            let hourly = try await store.rollups(seriesID: id, step: 3_600_000, from: start, to: now)
            #expect(hourly.first?.start == now - 30 * Self.day)
            #expect(hourly.count == 30 * 24 - 1)  // the step still inside the grace is not rolled up yet
            let tenOClock = try #require(hourly.first { ($0.start - start) % Self.day == 10 * 3_600_000 })
            #expect(
                tenOClock
                    == RollupBucket(start: tenOClock.start, minimum: 600, maximum: 659, sum: Double((600...659).reduce(0, +)), count: 60, last: 659))

            // A second run writes nothing twice and changes nothing.
            let again = try await store.compact(policy: Self.policy, now: now)
            #expect(again.bucketsWritten == 0)
            #expect(try await store.rollups(seriesID: id, step: 3_600_000, from: start, to: now) == hourly)

            // History reads hourly means, then 5-minute means, then raw samples.
            let history = try await store.history(seriesID: id, from: now - 20 * Self.day, to: now, steps: [300_000, 3_600_000])
            #expect(history.map(\.timestamp) == history.map(\.timestamp).sorted())
            #expect(history.first!.timestamp == now - 20 * Self.day && history.first!.value == 29.5)
            let gaps = zip(history, history.dropFirst()).map { $1.timestamp - $0.timestamp }
            #expect(gaps.max()! <= 3_600_000)
            #expect(Set(gaps) == [3_600_000, 300_000, 60_000])
        }
    }

    @Test(arguments: Backend.allCases)
    func rawSamplesStayUntilRolledUp(backend: Backend) async throws {
        try await withSeries(backend) { store, heads in
            let start: Int64 = 1_790_000_000_000
            try await heads.append(
                (0..<120).map { i in
                    (name: "x", labels: [], sample: Sample(timestamp: start + Int64(i) * 60_000, value: Double(i)))
                })
            // Written as a shutdown writes them: compaction works on stored chunks, never the head.
            try await heads.flush()
            let id = try #require(try await store.series(named: "x").first?.id)
            // With no rollup level, raw retention alone decides.
            _ = try await store.compact(policy: RetentionPolicy(raw: Self.day, rollups: []), now: start + 3 * Self.day)
            #expect(try await store.samples(seriesID: id, from: start, to: start + Self.day).isEmpty)
            try await heads.append([(name: "y", labels: [], sample: Sample(timestamp: start, value: 1))])
            try await heads.flush()
            let y = try #require(try await store.series(named: "y").first?.id)
            // The grace keeps a step open: nothing is rolled up, so nothing raw may go.
            _ = try await store.compact(policy: Self.policy, now: start + 1)
            #expect(try await store.samples(seriesID: y, from: start, to: start).count == 1)
        }
    }
}
