import AlmanacImages
import Foundation
import Logging
import SQLKit

/// The audit's own SQLite file: one row per file as soon as it is measured (committed in batches),
/// so an audit stopped by anything, `kill -9` included, starts again where it was.
public final class AuditLedger: Sendable {
    let database: Database

    private init(database: Database) { self.database = database }

    public static func open(_ path: String) async throws -> AuditLedger {
        var logger = Logger(label: "almanac.storage")
        logger.logLevel = .warning
        let database = try await Database.openFile(path, logger: logger)
        let ledger = AuditLedger(database: database)
        for statement in [
            """
            CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, relative TEXT NOT NULL, size INTEGER NOT NULL, modified INTEGER NOT NULL,
              format TEXT, width INTEGER NOT NULL, height INTEGER NOT NULL, sha256 TEXT NOT NULL, dhash INTEGER NOT NULL,
              phash INTEGER NOT NULL, centre_dhash INTEGER NOT NULL, centre_phash INTEGER NOT NULL, problem TEXT)
            """,
            """
            CREATE TABLE IF NOT EXISTS samples (path TEXT NOT NULL, settings TEXT NOT NULL, webp_bytes INTEGER NOT NULL,
              webp_ssim REAL NOT NULL, downscaled_bytes INTEGER, downscale_ssim REAL, PRIMARY KEY (path, settings))
            """,
        ] {
            try await database.sql.raw(SQLQueryString(statement)).run()
        }
        return ledger
    }

    public func close() async throws { try await database.close() }

    /// Of `files` (path, size, modified), those already measured with that same size and time.
    public func measured(_ files: [(path: String, size: Int64, modified: Int64)]) async throws -> Set<String> {
        guard !files.isEmpty else { return [] }
        let rows = try await database.sql.select().columns("path", "size", "modified").from("files")
            .where("path", .in, files.map(\.path)).all()
        var known: [String: (Int64, Int64)] = [:]
        for row in rows {
            known[try row.decode(column: "path", as: String.self)] = (
                try row.decode(column: "size", as: Int64.self), try row.decode(column: "modified", as: Int64.self)
            )
        }
        var done = Set<String>()
        for file in files where known[file.path].map({ $0.0 == file.size && $0.1 == file.modified }) ?? false { done.insert(file.path) }
        return done
    }

    /// Writes measured files in one transaction: either all of them are there after a crash or none.
    public func record(_ records: [ImageRecord]) async throws {
        guard !records.isEmpty else { return }
        try await database.transaction { db in
            // A file measured again (it changed since) replaces its row.
            try await db.delete(from: "files").where("path", .in, records.map(\.path)).run()
            var insert = db.insert(into: "files").columns(
                "path", "relative", "size", "modified", "format", "width", "height", "sha256", "dhash", "phash", "centre_dhash", "centre_phash",
                "problem")
            for r in records {
                insert = insert.values(
                    SQLBind(r.path), SQLBind(r.relative), SQLBind(r.size), SQLBind(r.modified), SQLBind(r.format), SQLBind(r.width),
                    SQLBind(r.height), SQLBind(r.sha256), SQLBind(Int64(bitPattern: r.dHash)), SQLBind(Int64(bitPattern: r.pHash)),
                    SQLBind(Int64(bitPattern: r.centreDHash)), SQLBind(Int64(bitPattern: r.centrePHash)), SQLBind(r.problem))
            }
            try await insert.run()
        }
    }

    /// Every file measured under `roots` (all of them when empty), in path order.
    public func files(under roots: [String] = []) async throws -> [ImageRecord] {
        let rows = try await database.sql.raw("SELECT * FROM files ORDER BY path").all()
        let records = try rows.map { row in
            ImageRecord(
                path: try row.decode(column: "path", as: String.self), relative: try row.decode(column: "relative", as: String.self),
                size: try row.decode(column: "size", as: Int64.self), modified: try row.decode(column: "modified", as: Int64.self),
                format: try row.decode(column: "format", as: String?.self), width: try row.decode(column: "width", as: Int.self),
                height: try row.decode(column: "height", as: Int.self), sha256: try row.decode(column: "sha256", as: String.self),
                dHash: UInt64(bitPattern: try row.decode(column: "dhash", as: Int64.self)),
                pHash: UInt64(bitPattern: try row.decode(column: "phash", as: Int64.self)),
                centreDHash: UInt64(bitPattern: try row.decode(column: "centre_dhash", as: Int64.self)),
                centrePHash: UInt64(bitPattern: try row.decode(column: "centre_phash", as: Int64.self)),
                problem: try row.decode(column: "problem", as: String?.self))
        }
        guard !roots.isEmpty else { return records }
        return records.filter { record in roots.contains { record.path == $0 || record.path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } }
    }

    /// Sample measurements made with `settings` (quality and budget), by path.
    public func samples(settings: String) async throws -> [String: SampleMeasure] {
        let rows = try await database.sql.select().columns("*").from("samples").where("settings", .equal, settings).all()
        return Dictionary(
            uniqueKeysWithValues: try rows.map { row in
                (
                    try row.decode(column: "path", as: String.self),
                    SampleMeasure(
                        index: -1, webpBytes: try row.decode(column: "webp_bytes", as: Int64.self),
                        webpSSIM: try row.decode(column: "webp_ssim", as: Double.self),
                        downscaledBytes: try row.decode(column: "downscaled_bytes", as: Int64?.self),
                        downscaleSSIM: try row.decode(column: "downscale_ssim", as: Double?.self))
                )
            })
    }

    public func record(sample: SampleMeasure, path: String, settings: String) async throws {
        try await database.sql.raw(
            """
            INSERT OR REPLACE INTO samples (path, settings, webp_bytes, webp_ssim, downscaled_bytes, downscale_ssim)
            VALUES (\(bind: path), \(bind: settings), \(bind: sample.webpBytes), \(bind: sample.webpSSIM), \(bind: sample.downscaledBytes),
            \(bind: sample.downscaleSSIM))
            """
        ).run()
    }
}
