import AlmanacMetrics
import Foundation
import SQLKit
import Synchronization

/// Where the head's write-ahead log lives: a file in the data directory with SQLite, rows in
/// PostgreSQL so that a replica taking the scraping lease over can replay what the last holder
/// acknowledged.
public protocol SeriesLog: Sendable {
    /// Appends one framed record whose newest sample is at `newest`; durable against a crash
    /// of this process once it returns.
    func append(_ record: [UInt8], newest: Int64) async throws
    /// Every record still in the log, oldest first, with a warning for each damaged part skipped.
    func replay() async throws -> (records: [[LogRecord.Entry]], warnings: [String])
    /// Drops records whose samples are all older than `oldest` (they are in stored chunks).
    func truncate(before oldest: Int64) async throws
}

/// The log as rows of `series_log`, one per append.
public struct SQLSeriesLog: SeriesLog {
    let database: Database
    /// The log as readers see it, decoded once per row rather than once per query.
    let tail = LogTail()

    public init(database: Database) {
        self.database = database
    }

    /// The series' samples in the log between two times (ms, inclusive), reading only rows
    /// appended since the last call.
    public func samples(seriesID: Int64, from: Int64, to: Int64) async throws -> [Sample] {
        let known = tail.lastRow
        let rows = try await database.sql.select().columns("id", "newest_ms", "data").from("series_log").where("id", .greaterThan, known)
            .orderBy("id").all()
        let oldest = try await database.sql.select().column("newest_ms").from("series_log").orderBy("newest_ms").limit(1)
            .first(decodingColumn: "newest_ms", as: Int64.self)
        var fresh: [(Int64, [LogRecord.Entry])] = []
        for row in rows {
            fresh.append(
                (
                    try row.decode(column: "id", as: Int64.self),
                    LogRecord.decode(Array(try row.decode(column: "data", as: Data.self))).records.flatMap { $0 }
                ))
        }
        return tail.update(fresh, truncatedBefore: oldest ?? .max).samples(seriesID: seriesID, from: from, to: to)
    }

    public func append(_ record: [UInt8], newest: Int64) async throws {
        try await database.sql.insert(into: "series_log").columns("newest_ms", "data").values(SQLBind(newest), SQLBind(Data(record))).run()
    }

    public func replay() async throws -> (records: [[LogRecord.Entry]], warnings: [String]) {
        let rows = try await database.sql.select().columns("id", "data").from("series_log").orderBy("id").all()
        var records: [[LogRecord.Entry]] = []
        var warnings: [String] = []
        for row in rows {
            let reading = LogRecord.decode(Array(try row.decode(column: "data", as: Data.self)))
            records += reading.records
            if reading.damagedAt != nil { warnings.append("series log row \(try row.decode(column: "id", as: Int64.self)) is damaged; skipped") }
        }
        return (records, warnings)
    }

    public func truncate(before oldest: Int64) async throws {
        try await database.sql.delete(from: "series_log").where("newest_ms", .lessThan, oldest).run()
    }
}

/// Decoded log rows by series, kept between reads. Truncation deletes rows whose samples are
/// all stored; their samples leave the cache once older than every remaining row by a chunk's
/// span (a row's samples can be older than its newest one).
final class LogTail: Sendable {
    struct State {
        var lastRow: Int64 = 0
        var bySeries: [Int64: [Sample]] = [:]
    }

    private let state = Mutex(State())

    var lastRow: Int64 { state.withLock { $0.lastRow } }

    func update(_ rows: [(Int64, [LogRecord.Entry])], truncatedBefore oldest: Int64) -> LogTail {
        state.withLock { state in
            for (id, entries) in rows where id > state.lastRow {
                for entry in entries { state.bySeries[entry.seriesID, default: []].append(entry.sample) }
                state.lastRow = id
            }
            let stored = oldest == .max ? Int64.max : oldest - OpenChunk.maximumSpan
            for id in Array(state.bySeries.keys) {
                state.bySeries[id]!.removeAll { $0.timestamp < stored }
                if state.bySeries[id]!.isEmpty { state.bySeries[id] = nil }
            }
        }
        return self
    }

    func samples(seriesID: Int64, from: Int64, to: Int64) -> [Sample] {
        state.withLock { $0.bySeries[seriesID, default: []].filter { $0.timestamp >= from && $0.timestamp <= to } }
    }
}
