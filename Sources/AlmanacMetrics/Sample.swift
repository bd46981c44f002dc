/// One value of a series at a time in milliseconds since 1970, as Prometheus stores it.
public struct Sample: Sendable, Hashable {
    public var timestamp: Int64
    public var value: Double

    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

extension Array where Element == Sample {
    /// The samples in `(end - range, end]`, Prometheus's left-open range-vector window.
    public func window(endingAt end: Int64, range: Int64) -> [Sample] {
        filter { $0.timestamp > end - range && $0.timestamp <= end }
    }
}
