/// The chunk a series is filling, as Prometheus's head keeps it: cut when it holds 120 samples
/// or would span more than two hours, so a chunk is written to storage once, whole.
public struct OpenChunk: Sendable {
    public static let maximumSpan: Int64 = 2 * 3_600_000

    public private(set) var chunk = XORChunk()
    public private(set) var start: Int64 = 0
    /// The newest sample's time, in this chunk or the ones before it; `.min` before any.
    public private(set) var last: Int64
    public var count: Int { chunk.count }

    public init(after last: Int64 = .min) {
        self.last = last
    }

    /// Appends `sample`; returns the chunk it closed first when full or too long, and false for
    /// an out-of-order or duplicate sample (dropped, as Prometheus drops them).
    public mutating func append(_ sample: Sample) -> (accepted: Bool, closed: Closed?) {
        guard sample.timestamp > last else { return (false, nil) }
        var closed: Closed?
        if chunk.isFull || (chunk.count > 0 && sample.timestamp - start >= Self.maximumSpan) {
            closed = cut()
        }
        if chunk.count == 0 { start = sample.timestamp }
        chunk.append(sample)
        last = sample.timestamp
        return (true, closed)
    }

    /// Ends the chunk now (shutdown, or a series gone quiet); nil when it holds nothing.
    public mutating func cut() -> Closed? {
        guard chunk.count > 0 else { return nil }
        defer { chunk = XORChunk() }
        return Closed(start: start, end: last, count: chunk.count, bytes: chunk.bytes)
    }

    /// The samples not yet written to storage.
    public func samples() throws -> [Sample] {
        try XORChunk.decode(chunk.bytes, count: chunk.count)
    }

    /// A chunk ready to be written.
    public struct Closed: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var count: Int
        public var bytes: [UInt8]
    }
}
