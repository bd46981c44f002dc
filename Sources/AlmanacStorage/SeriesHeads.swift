import AlmanacMetrics
import Synchronization

/// The open chunk of every series, in memory, as Prometheus's head keeps them. An append first
/// goes to the write-ahead log (one record per call: a sample is acknowledged once that write
/// returns), then into the open chunks; a chunk is written to the database once, when it is
/// full or spans two hours, or at shutdown. A restart replays the log. Without a log (an
/// import, which can be run again) chunks are written when full and at `flush()`.
public actor SeriesHeads {
    public typealias Entry = LogRecord.Entry

    private let store: SQLSeriesStore
    private let log: (any SeriesLog)?
    /// The open chunks, shared with readers (`HeadView`), which merge them with stored chunks.
    public nonisolated let view: HeadView
    private var ids: [String: Int64] = [:]
    /// Closed chunks the database did not take yet: retried at the next append, and kept in the log.
    private var pending: [ChunkWrite] = []
    private var appends = 0
    /// Appends wait while the log is replayed: one landing in between would be overwritten.
    private var recovering = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var writing = false
    private var writeWaiters: [CheckedContinuation<Void, Never>] = []

    public init(store: SQLSeriesStore, log: (any SeriesLog)? = nil, view: HeadView = HeadView()) {
        self.store = store
        self.log = log
        self.view = view
    }

    /// The id of a series, created in the database on first sight and remembered.
    public func seriesID(name: String, labels: [Label]) async throws -> Int64 {
        let key = SQLSeriesStore.fingerprint(name, labels)
        if let id = ids[key] { return id }
        let id = try await store.seriesID(name: name, labels: labels)
        ids[key] = id
        return id
    }

    /// The time of the series' newest sample, in the head or stored; nil for a series never seen.
    public func newest(name: String, labels: [Label]) async throws -> Int64? {
        view.last(seriesID: try await seriesID(name: name, labels: labels))
    }

    /// Appends samples (one scrape's, or an import's in time order). Returns how many were
    /// taken: out-of-order and duplicate samples are not.
    @discardableResult
    public func append(_ samples: [(name: String, labels: [Label], sample: Sample)]) async throws -> Int {
        var entries: [Entry] = []
        entries.reserveCapacity(samples.count)
        for entry in samples {
            entries.append(Entry(seriesID: try await seriesID(name: entry.name, labels: entry.labels), sample: entry.sample))
        }
        return try await append(entries)
    }

    /// Appends samples of series already known by id (what a scrape loop does after its first scrape).
    @discardableResult
    public func append(_ entries: [Entry]) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        while recovering { await withCheckedContinuation { waiting.append($0) } }
        if let log {
            var record: [UInt8] = []
            LogRecord.encode(entries, into: &record)
            try await log.append(record, newest: entries.map(\.sample.timestamp).max() ?? 0)
        }
        let (taken, closed) = view.append(entries)
        pending += closed
        try await writePending()
        appends += 1
        if appends % 256 == 0 { try await truncateLog() }
        return taken
    }

    /// Rebuilds the open chunks from the log (at start, or when this replica takes scraping
    /// over): samples already in stored chunks are skipped. Returns warnings about damage.
    public func recover() async throws -> (samples: Int, warnings: [String]) {
        recovering = true
        defer {
            recovering = false
            for waiter in waiting { waiter.resume() }
            waiting = []
        }
        pending = []
        guard let log else {
            view.removeAll()
            return (0, [])
        }
        let (records, warnings) = try await log.replay()
        let stored = try await store.newestStored()
        // Rebuilt aside and swapped in at once: readers keep seeing the samples until then (an
        // SLO read while a replay ran once counted a window without its last minutes).
        let rebuilt = HeadView()
        rebuilt.seed(stored)
        var replayed = 0
        for record in records {
            let fresh = record.filter { $0.sample.timestamp > stored[$0.seriesID, default: .min] }
            let (taken, closed) = rebuilt.append(fresh)
            replayed += taken
            pending += closed
        }
        view.replace(with: rebuilt)
        try await writePending()
        return (replayed, warnings)
    }

    /// Writes every open chunk (shutdown, the end of an import) and empties the log.
    public func flush() async throws {
        pending += view.cut { _ in true }
        try await writePending()
        try await truncateLog()
    }

    /// Closes chunks of series that have gone quiet for `after` ms, so the log does not keep them.
    public func cutQuiet(now: Int64, after: Int64 = OpenChunk.maximumSpan) async throws {
        pending += view.cut { now - $0.last >= after }
        try await writePending()
    }

    /// Stops writing the open chunks (the lease went): whoever scrapes next replays them from the log.
    /// The samples stay readable: they are true, and whoever takes over replays them from the log
    /// (on SQLite, this process again, which swaps in what it replayed).
    public func abandon() {
        pending = []
    }

    /// Writes the closed chunks, one write at a time: the actor is reentrant while the database
    /// works, and a second call then would write the same chunks twice or forget new ones.
    private func writePending() async throws {
        while writing { await withCheckedContinuation { writeWaiters.append($0) } }
        guard !pending.isEmpty else { return }
        writing = true
        defer {
            writing = false
            for waiter in writeWaiters { waiter.resume() }
            writeWaiters = []
        }
        let chunks = pending
        try await store.write(chunks)
        let written = Set(chunks.map { ChunkKey(series: $0.seriesID, start: $0.start) })
        pending.removeAll { written.contains(ChunkKey(series: $0.seriesID, start: $0.start)) }
        view.written(chunks)
    }

    private func truncateLog() async throws {
        guard let log else { return }
        let oldest = min(view.oldestOpen() ?? .max, pending.map(\.start).min() ?? .max)
        try await log.truncate(before: oldest)
    }
}

/// The open chunks by series id, behind a lock, so readers on any task can merge them with
/// what the database holds while the head's actor appends. A chunk that closed stays readable
/// here until the database has it (`written`): between its cut and its write it is in neither.
public final class HeadView: Sendable {
    private struct State {
        var open: [Int64: OpenChunk] = [:]
        var unwritten: [Int64: [ChunkWrite]] = [:]

        mutating func close(_ id: Int64, _ closed: OpenChunk.Closed) -> ChunkWrite {
            let write = ChunkWrite(id, closed)
            unwritten[id, default: []].append(write)
            return write
        }
    }

    private let state = Mutex(State())
    /// Scrapes under way, which readers wait for by reading only up to before them.
    public let watermark = AppendWatermark()

    public init() {}

    /// Appends entries in order; returns how many were taken and the chunks that closed.
    func append(_ entries: [LogRecord.Entry]) -> (Int, [ChunkWrite]) {
        state.withLock { state in
            var taken = 0
            var closed: [ChunkWrite] = []
            for entry in entries {
                let (accepted, done) = state.open[entry.seriesID, default: OpenChunk()].append(entry.sample)
                if accepted { taken += 1 }
                if let done { closed.append(state.close(entry.seriesID, done)) }
            }
            return (taken, closed)
        }
    }

    func cut(where shouldCut: (OpenChunk) -> Bool) -> [ChunkWrite] {
        state.withLock { state in
            var closed: [ChunkWrite] = []
            for id in Array(state.open.keys) where shouldCut(state.open[id]!) {
                if let done = state.open[id]!.cut() { closed.append(state.close(id, done)) }
            }
            return closed
        }
    }

    /// The database holds these chunks now; readers find them there.
    func written(_ chunks: [ChunkWrite]) {
        let keys = Set(chunks.map { ChunkKey(series: $0.seriesID, start: $0.start) })
        state.withLock { state in
            for series in Set(chunks.map(\.seriesID)) {
                state.unwritten[series]?.removeAll { keys.contains(ChunkKey(series: series, start: $0.start)) }
                if state.unwritten[series]?.isEmpty == true { state.unwritten[series] = nil }
            }
        }
    }

    func removeAll() { state.withLock { $0 = State() } }

    /// Takes `other`'s chunks as its own, in one step.
    func replace(with other: HeadView) {
        let rebuilt = other.state.withLock { $0 }
        state.withLock { $0 = rebuilt }
    }

    /// Starts each series after its newest stored sample, so nothing older is taken again.
    func seed(_ newest: [Int64: Int64]) {
        state.withLock { state in
            for (id, last) in newest { state.open[id] = OpenChunk(after: last) }
        }
    }

    func last(seriesID: Int64) -> Int64? {
        state.withLock { $0.open[seriesID].map(\.last) }.flatMap { $0 == .min ? nil : $0 }
    }

    func oldestOpen() -> Int64? {
        state.withLock { $0.open.values.filter { $0.count > 0 }.map(\.start).min() }
    }

    /// The series' samples not yet in stored chunks, between two times (ms, inclusive), oldest first.
    public func samples(seriesID: Int64, from: Int64, to: Int64) throws -> [Sample] {
        let (open, unwritten) = state.withLock { ($0.open[seriesID], $0.unwritten[seriesID] ?? []) }
        var out: [Sample] = []
        for chunk in unwritten where chunk.end >= from && chunk.start <= to {
            out += try XORChunk.decode(chunk.bytes, count: chunk.count)
        }
        if let open, open.count > 0, open.last >= from, open.start <= to { out += try open.samples() }
        return out.filter { $0.timestamp >= from && $0.timestamp <= to }
    }
}

/// A chunk by its series and first sample: what a write is matched by.
struct ChunkKey: Hashable {
    var series: Int64
    var start: Int64
}

extension ChunkWrite {
    init(_ seriesID: Int64, _ closed: OpenChunk.Closed) {
        self.init(seriesID: seriesID, start: closed.start, end: closed.end, count: closed.count, bytes: closed.bytes)
    }
}
