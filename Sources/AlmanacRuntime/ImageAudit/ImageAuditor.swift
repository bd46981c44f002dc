import AlmanacImages
import AlmanacStorage
import Crypto
import Foundation
import Synchronization

/// Walks image trees and measures every file: size, format, dimensions, SHA-256 and the two
/// perceptual hashes. Streams: the walk holds one batch of paths at a time, the batch is measured
/// on every core, and its rows are committed before the next, so memory stays flat on millions
/// of files and a stopped audit resumes at the first batch it had not committed.
public struct ImageAuditor: Sendable {
    public struct Progress: Sendable {
        public var files = 0
        public var bytes: Int64 = 0
        /// Files found already measured (unchanged) in the ledger and not read again.
        public var resumed = 0
        public var problems = 0
        /// Directories that could not be opened (permissions): their files are not in the audit.
        public var unreadable: [String] = []
    }

    public let roots: [String]
    /// Directories to leave out (the quarantine, when it lies inside a tree).
    public let excluded: [String]
    public let workers: Int
    public let batchSize: Int

    public init(roots: [String], excluded: [String] = [], workers: Int = ProcessInfo.processInfo.activeProcessorCount, batchSize: Int = 256) {
        self.roots = roots.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.excluded = excluded.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.workers = max(1, workers)
        self.batchSize = batchSize
    }

    struct Found: Sendable {
        var path: String
        var relative: String
        var size: Int64
        var modified: Int64
    }

    /// How many regular files and bytes the trees hold: the total the progress bar runs to.
    public func count() throws(ImageAuditError) -> (files: Int, bytes: Int64) {
        var files = 0
        var bytes: Int64 = 0
        var walk = BatchWalk(auditor: self)
        while let batch = try walk.next() {
            files += batch.count
            bytes += batch.reduce(0) { $0 + $1.size }
        }
        return (files, bytes)
    }

    /// Measures what the ledger does not hold yet; `progress` is called after each batch.
    public func run(ledger: AuditLedger, progress: (Progress) -> Void) async throws -> Progress {
        try ImageDecoder.start()
        var state = Progress()
        var walk = BatchWalk(auditor: self)
        while let batch = try walk.next() {
            let done = try await ledger.measured(batch.map { ($0.path, $0.size, $0.modified) })
            let records = Self.measure(batch.filter { !done.contains($0.path) }, workers: workers)
            try await ledger.record(records)
            state.files += batch.count
            state.bytes += batch.reduce(0) { $0 + $1.size }
            state.resumed += done.count
            state.problems += records.filter { $0.problem != nil }.count
            progress(state)
        }
        state.unreadable = walk.walk.unreadable
        return state
    }

    /// SHA-256 of every file, hashed on every core, as lines in `sha256sum`'s format handed to
    /// `emit` a few hundred at a time (in no particular order). The workers take files from one
    /// shared walk, so listing directories overlaps hashing instead of waiting between batches.
    public func checksums(_ emit: @escaping @Sendable (String) -> Void) throws(ImageAuditError) {
        let walk = Mutex(TreeWalk(roots: roots, excluded: excluded))
        let failure = Mutex<ImageAuditError?>(nil)
        let output = Mutex(())
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var lines = ""
            while failure.withLock({ $0 == nil }) {
                let next = walk.withLock { walk -> Result<Found?, ImageAuditError> in Result { () throws(ImageAuditError) in try walk.next() } }
                do throws(ImageAuditError) {
                    guard let file = try next.get() else { break }
                    lines += try Self.sha256(file.path, buffer: &buffer) + "  " + file.path + "\n"
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
                if lines.utf8.count > 32_768 {
                    output.withLock { _ in emit(lines) }
                    lines = ""
                }
            }
            if !lines.isEmpty { output.withLock { _ in emit(lines) } }
        }
        walk.withLock { $0.close() }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Measures `files` on `workers` threads: the decoding is blocking C, so it runs outside Swift's
    /// cooperative pool, on threads of its own.
    static func measure(_ files: [Found], workers: Int) -> [ImageRecord] {
        let results = Mutex([ImageRecord?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: min(workers, files.count)) { worker in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var index = worker
            while index < files.count {
                let record = measure(files[index], buffer: &buffer)
                results.withLock { $0[index] = record }
                index += workers
            }
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    static func measure(_ file: Found, buffer: inout [UInt8]) -> ImageRecord {
        var record = ImageRecord(
            path: file.path, relative: file.relative, size: file.size, modified: file.modified, format: nil, width: 0, height: 0,
            sha256: "", dHash: 0, pHash: 0, problem: nil)
        do {
            // Up to 64 MiB the bytes are read once, for the hash and the decoder both.
            var data: Data?
            if file.size <= 64 << 20 {
                let bytes = try contents(file.path, size: file.size)
                record.sha256 = SHA256.hash(data: bytes).hexadecimal
                data = bytes
            } else {
                record.sha256 = try sha256(file.path, buffer: &buffer)
            }
            let (header, hashes) = try ImageDecoder.analyse(file.path, data: data)
            record.format = header.format
            record.width = header.width
            record.height = header.height
            (record.dHash, record.pHash) = (hashes.dHash, hashes.pHash)
            (record.centreDHash, record.centrePHash) = (hashes.centreDHash, hashes.centrePHash)
        } catch {
            record.problem = error.description
        }
        return record
    }

    /// SHA-256 of a file read in 1 MiB blocks.
    public static func sha256(_ path: String, buffer: inout [UInt8]) throws(ImageAuditError) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ImageAuditError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var hasher = SHA256()
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw ImageAuditError("\(path): cannot read (\(String(cString: strerror(errno))))") }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hasher.finalize().hexadecimal
    }

    /// The whole file (it may have grown or shrunk since it was listed: what is there now is read).
    static func contents(_ path: String, size: Int64) throws(ImageAuditError) -> Data {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ImageAuditError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var data = Data(count: Int(size) + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count += 1 << 16 }
            let count = data.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            guard count >= 0 else { throw ImageAuditError("\(path): cannot read (\(String(cString: strerror(errno))))") }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }
}

/// The trees' regular files, a batch at a time, in the order the directories list them.
struct BatchWalk {
    let size: Int
    var walk: TreeWalk

    init(auditor: ImageAuditor) {
        size = auditor.batchSize
        walk = TreeWalk(roots: auditor.roots, excluded: auditor.excluded)
    }

    mutating func next() throws(ImageAuditError) -> [ImageAuditor.Found]? {
        var batch: [ImageAuditor.Found] = []
        while batch.count < size, let found = try walk.next() { batch.append(found) }
        return batch.isEmpty ? nil : batch
    }
}
