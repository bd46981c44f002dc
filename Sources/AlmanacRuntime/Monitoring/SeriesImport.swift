import AlmanacMetrics
import AlmanacStorage
import Foundation

/// Backfills history from an exposition file of any size (years of Munin data run to
/// gigabytes): read in blocks, parsed a line at a time, stored in batches, so memory stays the
/// same whatever the file's size.
public struct SeriesImport: Sendable {
    public struct Progress: Sendable {
        public var bytesRead: Int64
        public var totalBytes: Int64
        public var samples: Int
    }

    public struct Summary: Sendable {
        /// Samples stored.
        public var stored: Int
        /// Samples older than or equal to one already stored for their series, dropped as Prometheus drops them.
        public var dropped: Int
    }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case parse(file: String, ExpositionError)
        case untimed(file: String, line: Int)

        public var description: String {
            switch self {
            case .unreadable(let file): return "\(file): cannot be read"
            case .parse(let file, let error): return "\(file):\(error.line): \(error.message)"
            case .untimed(let file, let line): return "\(file):\(line): the sample has no timestamp; an import needs one on every sample"
            }
        }
    }

    let heads: SeriesHeads
    let blockSize: Int
    let batchSize: Int

    public init(heads: SeriesHeads, blockSize: Int = 1 << 20, batchSize: Int = 50_000) {
        self.heads = heads
        self.blockSize = blockSize
        self.batchSize = batchSize
    }

    /// Imports `file`, OpenMetrics when it ends with `# EOF`, else the Prometheus text format.
    /// Each series' samples must come in time order; `progress` hears after each batch. With
    /// `endingAt`, every timestamp moves so that the newest lands there (a bundled example's
    /// history, replayed up to the moment it is imported).
    public func run(_ file: String, endingAt end: Int64? = nil, progress: (Progress) -> Void = { _ in }) async throws -> Summary {
        var shift: Int64 = 0
        if let end {
            var newest = Int64.min
            _ = try await read(file, shift: 0, store: false, seen: { newest = max(newest, $0) })
            if newest > .min { shift = end - newest }
        }
        let summary = try await read(file, shift: shift, store: true, progress: progress)
        try await heads.flush()
        return summary
    }

    private func read(
        _ file: String, shift: Int64, store: Bool, progress: (Progress) -> Void = { _ in }, seen observe: (Int64) -> Void = { _ in }
    ) async throws -> Summary {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw Failure.unreadable(file) }
        defer { try? handle.close() }
        let total = Int64(try handle.seekToEnd())
        try handle.seek(toOffset: UInt64(max(0, total - 16)))
        let tail = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        try handle.seek(toOffset: 0)
        var parser = ExpositionParser(format: tail.contains("# EOF") ? .openMetrics : .prometheusText)
        var batch: [(name: String, labels: [Label], sample: Sample)] = []
        batch.reserveCapacity(batchSize)
        var carry: [UInt8] = []
        var read: Int64 = 0
        var summary = Summary(stored: 0, dropped: 0)
        var seen = 0

        func take(_ line: ArraySlice<UInt8>) throws {
            let number = parser.line
            let parsed: ScrapedSample?
            do throws(ExpositionError) { parsed = try parser.consume(line) } catch { throw Failure.parse(file: file, error) }
            guard let sample = parsed else { return }
            guard let stamp = sample.timestamp else { throw Failure.untimed(file: file, line: number) }
            observe(stamp)
            if store { batch.append((sample.name, sample.labels.sorted(), Sample(timestamp: stamp + shift, value: sample.value))) }
        }
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let stored = try await heads.append(batch)
            seen += batch.count
            summary.stored += stored
            summary.dropped += batch.count - stored
            batch.removeAll(keepingCapacity: true)
            progress(Progress(bytesRead: read, totalBytes: total, samples: seen))
        }

        while let data = try handle.read(upToCount: blockSize), !data.isEmpty {
            read += Int64(data.count)
            carry.append(contentsOf: data)
            var start = 0
            while let newline = carry[start...].firstIndex(of: 0x0A) {
                try take(carry[start..<newline])
                start = newline + 1
                if batch.count >= batchSize { try await flush() }
            }
            carry.removeFirst(start)
        }
        if !carry.isEmpty { try take(carry[...]) }
        do throws(ExpositionError) { try parser.finish() } catch { throw Failure.parse(file: file, error) }
        try await flush()
        progress(Progress(bytesRead: read, totalBytes: total, samples: seen))
        return summary
    }
}
