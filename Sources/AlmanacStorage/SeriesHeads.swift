import AlmanacMetrics

/// The open chunk of every series: samples are appended here, and each scrape's changed chunks
/// are written back whole, so a scrape's samples are durable once that write commits.
public actor SeriesHeads {
    private struct Head {
        var id: Int64
        var chunk = XORChunk()
        var start: Int64 = 0
        var last: Int64 = .min
    }

    private let store: SQLSeriesStore
    private var heads: [String: Head] = [:]

    public init(store: SQLSeriesStore) {
        self.store = store
    }

    /// Appends samples (one scrape's, or a bulk import's in time order) and writes the chunks they touched.
    /// Returns how many were stored: out-of-order and duplicate samples are not.
    @discardableResult
    public func append(_ samples: [(name: String, labels: [Label], sample: Sample)]) async throws -> Int {
        var touched: [String] = []
        // Chunks that filled up during this call: written too, or a bulk import would lose them.
        var sealed: [ChunkWrite] = []
        for entry in samples {
            let key = ([entry.name] + entry.labels.map { "\($0.name)=\($0.value)" }).joined(separator: "\u{1}")
            var head: Head
            if let existing = heads[key] {
                head = existing
            } else {
                head = Head(id: try await store.seriesID(name: entry.name, labels: entry.labels))
            }
            // Out-of-order and duplicate samples are dropped, as Prometheus drops them.
            guard entry.sample.timestamp > head.last else { continue }
            if head.chunk.isFull {
                sealed.append(ChunkWrite(seriesID: head.id, start: head.start, end: head.last, count: head.chunk.count, bytes: head.chunk.bytes))
                head.chunk = XORChunk()
            }
            if head.chunk.count == 0 { head.start = entry.sample.timestamp }
            head.chunk.append(entry.sample)
            head.last = entry.sample.timestamp
            heads[key] = head
            touched.append(key)
        }
        try await store.write(
            sealed
                + Set(touched).compactMap { key in
                    heads[key].map { ChunkWrite(seriesID: $0.id, start: $0.start, end: $0.last, count: $0.chunk.count, bytes: $0.chunk.bytes) }
                })
        return touched.count
    }
}
