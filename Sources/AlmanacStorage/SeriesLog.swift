import AlmanacMetrics
import Foundation
import SQLKit

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

    public init(database: Database) {
        self.database = database
    }

    public func append(_ record: [UInt8], newest: Int64) async throws {
        try await database.sql.insert(into: "series_log").columns("newest_ms", "data").values(SQLBind(newest), SQLBind(Data(record))).run()
    }

    public func replay() async throws -> (records: [[LogRecord.Entry]], warnings: [String]) {
        try await records(newerThan: .min)
    }

    /// Records holding samples newer than `time`, for readers that merge the head in.
    public func records(newerThan time: Int64) async throws -> (records: [[LogRecord.Entry]], warnings: [String]) {
        let rows = try await database.sql.select().columns("id", "data").from("series_log").where("newest_ms", .greaterThan, time).orderBy("id").all()
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
