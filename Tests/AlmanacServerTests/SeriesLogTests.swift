import AlmanacMetrics
import AlmanacStorage
import AlmanacTesting
import Foundation
import Synchronization
import Testing

/// The head and its log on both backends: samples are readable before any chunk is written,
/// a chunk is written once when full, a new head replays what the last one acknowledged, and
/// a damaged log tail costs only the record it cut.
@Suite struct SeriesLogTests {
    static let start: Int64 = 1_790_000_000_000

    func scrape(_ heads: SeriesHeads, _ i: Int) async throws {
        try await heads.append([
            (name: "a", labels: [Label("job", "x")], sample: Sample(timestamp: Self.start + Int64(i) * 15_000, value: Double(i))),
            (name: "b", labels: [], sample: Sample(timestamp: Self.start + Int64(i) * 15_000, value: Double(-i))),
        ])
    }

    func chunkRows(_ database: Database) async throws -> Int {
        try await database.sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM chunks").first(decodingColumn: "n", as: Int64.self).map(Int.init) ?? -1
    }

    @Test(arguments: Backend.allCases)
    func aRestartReplaysWhatTheLogAcknowledged(backend: Backend) async throws {
        let logDirectory = try TestServer.temporaryDirectory()
        try await backend.withDatabase { database in
            let (store, heads) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            _ = try await heads.recover()
            for i in 0..<130 { try await scrape(heads, i) }
            #expect(try await chunkRows(database) == 2, "one full chunk per series, written once")
            let a = try await heads.seriesID(name: "a", labels: [Label("job", "x")])
            #expect(try await store.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).count == 130, "stored and open")
            // As after kill -9: a new head on the same database and log, nothing flushed.
            let (again, restarted) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            let (replayed, warnings) = try await restarted.recover()
            #expect(warnings.isEmpty)
            #expect(replayed == 20, "the ten open samples of each series; the full chunks were stored")
            let values = try await again.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).map(\.value)
            #expect(values == (0..<130).map(Double.init))
            try await restarted.flush()
            #expect(try await chunkRows(database) == 4)
        }
    }

    @Test func aCutLogTailLosesOnlyTheRecordItCut() async throws {
        let logDirectory = try TestServer.temporaryDirectory()
        try await Backend.sqlite.withDatabase { database in
            let (_, heads) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            _ = try await heads.recover()
            for i in 0..<30 { try await scrape(heads, i) }
            let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: logDirectory).first { $0.hasSuffix(".log") })
            let path = logDirectory + "/" + segment
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.dropLast(3).write(to: URL(fileURLWithPath: path))
            let (store, restarted) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            let (replayed, warnings) = try await restarted.recover()
            #expect(replayed == 58, "29 scrapes of two series")
            #expect(warnings.count == 1 && warnings[0].contains(segment) && warnings[0].contains("damaged"), "\(warnings)")
            let a = try await restarted.seriesID(name: "a", labels: [Label("job", "x")])
            #expect(try await store.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).count == 29)
            // Appends go on in a new segment, after the damage.
            try await scrape(restarted, 30)
            #expect(try await store.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).count == 30)
        }
    }

    /// A reader never misses a chunk while it is being written: it left the open chunks at its
    /// cut, and an SLO read in between once counted a window short by the whole chunk.
    @Test(arguments: Backend.allCases)
    func aClosingChunkStaysReadableUntilWritten(backend: Backend) async throws {
        let logDirectory = try TestServer.temporaryDirectory()
        try await backend.withDatabase { database in
            let (store, heads) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            _ = try await heads.recover()
            try await scrape(heads, 0)
            let a = try await heads.seriesID(name: "a", labels: [Label("job", "x")])
            let acknowledged = Mutex(1)
            let done = Mutex(false)
            let reader = Task {
                var shortest = Int.max
                while !done.withLock({ $0 }) {
                    let before = acknowledged.withLock { $0 }
                    let read = try await store.samples(seriesID: a, from: Self.start, to: Self.start + 100_000_000).count
                    shortest = min(shortest, read - before)
                    await Task.yield()
                }
                return shortest
            }
            for i in 1..<5_000 {
                try await scrape(heads, i)
                acknowledged.withLock { $0 = i + 1 }
            }
            done.withLock { $0 = true }
            #expect(try await reader.value >= 0, "a read saw fewer samples than were acknowledged before it began")
        }
    }

    /// A lost lease stops the head without hiding its samples, and taking the lease again
    /// (replaying the log) swaps the replayed samples in at once: in between, an SLO read once
    /// counted a window without its last minutes.
    @Test func samplesStayReadableWhenTheLeaseGoesAndComesBack() async throws {
        let logDirectory = try TestServer.temporaryDirectory()
        try await Backend.sqlite.withDatabase { database in
            let (store, heads) = SQLSeriesStore.withHead(database: database, logDirectory: logDirectory)
            _ = try await heads.recover()
            for i in 0..<50 { try await scrape(heads, i) }
            let a = try await heads.seriesID(name: "a", labels: [Label("job", "x")])
            await heads.abandon()
            #expect(try await store.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).count == 50)
            let (replayed, _) = try await heads.recover()
            #expect(replayed == 100)
            #expect(try await store.samples(seriesID: a, from: Self.start, to: Self.start + 10_000_000).count == 50)
        }
    }
}
