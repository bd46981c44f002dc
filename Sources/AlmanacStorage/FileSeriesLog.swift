import AlmanacMetrics
import Foundation
import Synchronization

/// The log as numbered segment files in a directory of the data directory. Each open starts a
/// new segment, so nothing is ever appended after a damaged tail; a full segment is closed and
/// a new one begun; segments whose samples all reached stored chunks are deleted. A record
/// is written with one `write` call: once it returns, the operating system has it, and it
/// survives the process being killed (not a power cut: the segment is synced when it closes).
/// A lock, not an actor: the head's actor calls it once per append, and a hop to another
/// executor and back cost more than the write.
public final class FileSeriesLog: SeriesLog {
    public static let segmentBytes = 64 << 20

    let directory: String
    private let state: Mutex<Segments>

    public init(directory: String) {
        self.directory = directory
        state = Mutex(Segments(directory: directory))
    }

    public func append(_ record: [UInt8], newest: Int64) async throws {
        try state.withLock { try $0.append(record, newest: newest) }
    }

    public func replay() async throws -> (records: [[LogRecord.Entry]], warnings: [String]) {
        try state.withLock { try $0.replay() }
    }

    public func truncate(before oldest: Int64) async throws {
        try state.withLock { try $0.truncate(before: oldest) }
    }

    /// Syncs and closes the segment being written.
    public func close() throws {
        try state.withLock { try $0.close() }
    }

    fileprivate struct Segments {
        var directory = ""
        var segments: [(number: Int, newest: Int64)] = []
        var current: FileHandle?
        var currentBytes = 0
    }
}

extension FileSeriesLog.Segments {
    mutating func append(_ record: [UInt8], newest: Int64) throws {
        if current == nil || currentBytes + record.count > FileSeriesLog.segmentBytes { try startSegment() }
        guard let current else { return }
        try current.write(contentsOf: record)
        currentBytes += record.count
        segments[segments.count - 1].newest = max(segments[segments.count - 1].newest, newest)
    }

    mutating func replay() throws -> (records: [[LogRecord.Entry]], warnings: [String]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var records: [[LogRecord.Entry]] = []
        var warnings: [String] = []
        segments = []
        for number in try existingSegments() {
            let path = self.path(number)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let reading = LogRecord.decode(bytes)
            records += reading.records
            if let damaged = reading.damagedAt {
                warnings.append("\(path): damaged from byte \(damaged) of \(bytes.count) (a crash cut the last write); the rest is skipped")
            }
            segments.append((number, reading.records.joined().map(\.sample.timestamp).max() ?? .min))
        }
        return (records, warnings)
    }

    mutating func truncate(before oldest: Int64) throws {
        let keep = segments.count - (current == nil ? 0 : 1)
        var kept: [(number: Int, newest: Int64)] = []
        for (index, segment) in segments.enumerated() {
            if index < keep, segment.newest < oldest {
                try FileManager.default.removeItem(atPath: path(segment.number))
            } else {
                kept.append(segment)
            }
        }
        segments = kept
    }

    mutating func close() throws {
        try current?.synchronize()
        try current?.close()
        current = nil
    }

    private mutating func startSegment() throws {
        try close()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let number = max(segments.last?.number ?? 0, try existingSegments().last ?? 0) + 1
        let path = self.path(number)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        current = handle
        currentBytes = 0
        segments.append((number, .min))
    }

    private func existingSegments() throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name in
            name.hasSuffix(".log") ? Int(name.dropLast(4)) : nil
        }.sorted()
    }

    private func path(_ number: Int) -> String {
        directory + "/" + String(repeating: "0", count: max(0, 8 - String(number).count)) + "\(number).log"
    }
}
