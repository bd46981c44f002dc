import AlmanacMetrics
import Foundation
import SQLKit

/// A series as stored: its name and labels, and the id its chunks hang from.
public struct StoredSeries: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var labels: [Label]
}

/// One chunk to write: the whole current state of a series' chunk starting at `start`.
public struct ChunkWrite: Sendable {
    public var seriesID: Int64
    public var start: Int64
    public var end: Int64
    public var count: Int
    public var bytes: [UInt8]

    public init(seriesID: Int64, start: Int64, end: Int64, count: Int, bytes: [UInt8]) {
        self.seriesID = seriesID
        self.start = start
        self.end = end
        self.count = count
        self.bytes = bytes
    }
}

/// Samples in compressed chunks on the shared SQL layer (SQLite or PostgreSQL), merged on
/// reading with the head's open chunks: in this process's memory with SQLite, from the log's
/// rows with PostgreSQL (the replica that scrapes may be another).
public struct SQLSeriesStore: Sendable {
    /// Where reads find the samples not yet in stored chunks.
    public enum Head: Sendable {
        case none
        case memory(HeadView)
        case log(SQLSeriesLog)
    }

    let database: Database
    let head: Head

    public init(database: Database, head: Head = .none) {
        self.database = database
        self.head = head
    }

    /// The store as a server uses it: with the head and log that fit its backend.
    public static func withHead(database: Database, logDirectory: String) -> (store: SQLSeriesStore, heads: SeriesHeads) {
        switch database.backend {
        case .sqlite:
            let view = HeadView()
            let store = SQLSeriesStore(database: database, head: .memory(view))
            return (store, SeriesHeads(store: store, log: FileSeriesLog(directory: logDirectory), view: view))
        case .postgres:
            let log = SQLSeriesLog(database: database)
            let store = SQLSeriesStore(database: database, head: .log(log))
            return (store, SeriesHeads(store: store, log: log))
        }
    }

    /// What another process (a command beside a running server) can read: stored chunks and
    /// the server's head as its log holds it now. Reads only: replaying the file log here
    /// writes nothing, and PostgreSQL's log rows are read where they are.
    public static func snapshot(database: Database, logDirectory: String) async throws -> SQLSeriesStore {
        switch database.backend {
        case .postgres: return SQLSeriesStore(database: database, head: .log(SQLSeriesLog(database: database)))
        case .sqlite:
            let view = HeadView()
            let store = SQLSeriesStore(database: database, head: .memory(view))
            guard FileManager.default.fileExists(atPath: logDirectory) else { return store }
            let (records, _) = try await FileSeriesLog(directory: logDirectory).replay()
            let stored = try await store.newestStored()
            view.seed(stored)
            for record in records { _ = view.append(record.filter { $0.sample.timestamp > stored[$0.seriesID, default: .min] }) }
            return store
        }
    }

    static func fingerprint(_ name: String, _ labels: [Label]) -> String {
        ([name] + labels.map { "\($0.name)=\($0.value)" }).joined(separator: "\u{1}")
    }

    /// The id of a series, creating it on first sight.
    public func seriesID(name: String, labels: [Label]) async throws -> Int64 {
        let fingerprint = Self.fingerprint(name, labels)
        if let id = try await database.sql.select().column("id").from("series").where("fingerprint", .equal, fingerprint)
            .first(decodingColumn: "id", as: Int64.self)
        {
            return id
        }
        let labelText = String(decoding: try JSONEncoder().encode(labels.map { [$0.name, $0.value] }), as: UTF8.self)
        try await database.sql.insert(into: "series").columns("fingerprint", "name", "labels")
            .values(SQLBind(fingerprint), SQLBind(name), SQLBind(labelText))
            .ignoringConflicts(with: ["fingerprint"])
            .run()
        return try await database.sql.select().column("id").from("series").where("fingerprint", .equal, fingerprint)
            .first(decodingColumn: "id", as: Int64.self) ?? 0
    }

    /// Writes chunk states in one transaction: after it returns, those samples survive a crash.
    /// Rows go in batches of one statement each: per-statement work, not the rows, dominated.
    public func write(_ chunks: [ChunkWrite]) async throws {
        guard !chunks.isEmpty else { return }
        try await database.transaction { db in
            for start in stride(from: 0, to: chunks.count, by: 100) {
                let insert = db.insert(into: "chunks").columns("series_id", "start_ms", "end_ms", "sample_count", "data")
                for chunk in chunks[start..<min(start + 100, chunks.count)] {
                    insert.values(SQLBind(chunk.seriesID), SQLBind(chunk.start), SQLBind(chunk.end), SQLBind(chunk.count), SQLBind(Data(chunk.bytes)))
                }
                try await insert.onConflict(with: ["series_id", "start_ms"]) {
                    $0.set(excludedValueOf: "end_ms").set(excludedValueOf: "sample_count").set(excludedValueOf: "data")
                }.run()
            }
        }
    }

    /// True when no series has been stored yet: a new data directory or database.
    public func isEmpty() async throws -> Bool {
        try await database.sql.select().column("id").from("series").limit(1).all().isEmpty
    }

    /// Series whose name is `name` (every series when nil).
    public func series(named name: String? = nil) async throws -> [StoredSeries] {
        var query = database.sql.select().columns("id", "name", "labels").from("series")
        if let name { query = query.where("name", .equal, name) }
        return try await query.orderBy("id").all().map { row in
            let pairs = try JSONDecoder().decode([[String]].self, from: Data(try row.decode(column: "labels", as: String.self).utf8))
            return StoredSeries(
                id: try row.decode(column: "id", as: Int64.self), name: try row.decode(column: "name", as: String.self),
                labels: pairs.map { Label($0[0], $0[1]) })
        }
    }

    /// The latest time up to which reads see every sample: before the oldest scrape still under
    /// way in this process. With PostgreSQL the scraping replica may be another, so `now`.
    public func settled(before now: Int64) -> Int64 {
        if case .memory(let view) = head { return view.watermark.settled(before: now) }
        return now
    }

    /// Samples of a series between two times (ms, inclusive), stored and open. The head is read
    /// first: a chunk written in between then shows up in both, and only its stored copy is kept.
    public func samples(seriesID: Int64, from: Int64, to: Int64) async throws -> [Sample] {
        let open: [Sample]
        switch head {
        case .none: open = []
        case .memory(let view): open = try view.samples(seriesID: seriesID, from: from, to: to)
        case .log(let log): open = try await log.samples(seriesID: seriesID, from: from, to: to)
        }
        let stored = try await storedSamples(seriesID: seriesID, from: from, to: to)
        let newest = stored.last?.timestamp ?? .min
        var seen = newest
        var merged = stored
        for sample in open.sorted(by: { $0.timestamp < $1.timestamp }) where sample.timestamp > seen {
            merged.append(sample)
            seen = sample.timestamp
        }
        return merged
    }

    /// The newest stored sample's time of every series with chunks: where replaying the log resumes.
    public func newestStored() async throws -> [Int64: Int64] {
        let rows = try await database.sql.raw("SELECT series_id, MAX(end_ms) AS newest FROM chunks GROUP BY series_id").all()
        var out: [Int64: Int64] = [:]
        for row in rows { out[try row.decode(column: "series_id", as: Int64.self)] = try row.decode(column: "newest", as: Int64.self) }
        return out
    }

    func storedSamples(seriesID: Int64, from: Int64, to: Int64) async throws -> [Sample] {
        let rows = try await database.sql.select().columns("sample_count", "data").from("chunks")
            .where("series_id", .equal, seriesID).where("end_ms", .greaterThanOrEqual, from).where("start_ms", .lessThanOrEqual, to)
            .orderBy("start_ms").all()
        var out: [Sample] = []
        for row in rows {
            let data = try row.decode(column: "data", as: Data.self)
            let decoded = try XORChunk.decode(Array(data), count: try row.decode(column: "sample_count", as: Int.self))
            out += decoded.filter { $0.timestamp >= from && $0.timestamp <= to }
        }
        return out
    }

    /// What the series take on disk: compressed payload, and the whole database for comparison.
    public func usage() async throws -> StorageUsage {
        let chunks = try await database.sql.raw(
            "SELECT CAST(COALESCE(SUM(LENGTH(data)), 0) AS BIGINT) AS bytes, CAST(COALESCE(SUM(sample_count), 0) AS BIGINT) AS samples FROM chunks"
        ).first()
        let rollups = try await database.sql.raw("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rollups").first()
        let size: String
        switch database.backend {
        case .sqlite: size = "SELECT CAST(page_count * page_size AS BIGINT) AS n FROM pragma_page_count(), pragma_page_size()"
        case .postgres: size = "SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS n"
        }
        let total = try await database.sql.raw(SQLQueryString(size)).first()
        return StorageUsage(
            rawSamples: try chunks?.decode(column: "samples", as: Int64.self) ?? 0,
            chunkBytes: try chunks?.decode(column: "bytes", as: Int64.self) ?? 0,
            rollupBuckets: try rollups?.decode(column: "n", as: Int64.self) ?? 0, databaseBytes: try total?.decode(column: "n", as: Int64.self) ?? 0)
    }
}

/// Disk use of stored series.
public struct StorageUsage: Sendable, Codable, Equatable {
    public var rawSamples: Int64
    /// Compressed sample payload (chunks' data only).
    public var chunkBytes: Int64
    public var rollupBuckets: Int64
    /// The whole database file (SQLite) or database (PostgreSQL), indexes and all.
    public var databaseBytes: Int64

    public var bytesPerSample: Double { rawSamples == 0 ? 0 : Double(chunkBytes) / Double(rawSamples) }
    /// Everything on disk divided by the raw samples held: the honest cost of one sample.
    public var diskBytesPerSample: Double { rawSamples == 0 ? 0 : Double(databaseBytes) / Double(rawSamples) }
}
