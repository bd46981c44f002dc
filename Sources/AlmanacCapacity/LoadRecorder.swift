import Histogram

/// Latency histograms in microseconds, 1 µs to an hour at three significant digits.
public typealias LatencyHistogram = Histogram<UInt64>

extension Histogram where Count == UInt64 {
    public static func latency() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }
}

/// What a run measured, mergeable across event loops: response time from each request's
/// intended start (coordinated-omission correct), service time from the moment it was sent,
/// and schedule lag (sent minus intended), kept apart.
public struct LoadRecorder: Sendable {
    public var response = LatencyHistogram.latency()
    public var service = LatencyHistogram.latency()
    public var lag = LatencyHistogram.latency()
    /// Requests written to a connection.
    public var sent = 0
    /// Responses received (any status).
    public var completed = 0
    /// Responses with status 400 or above, and requests that got no response.
    public var errors = 0
    /// Requests sent more than `lateMicros` after they were due.
    public var late = 0
    /// Requests never sent: the queue was full or the test ended first.
    public var dropped = 0
    public var statuses: [Int: Int] = [:]
    /// Requests without a response, by what happened (`connection refused`, `timeout`, `TLS: ...`).
    public var failures: [String: Int] = [:]
    /// Assets fetched after their pages (`assets: true`), and those that failed, by path and status.
    public var assets = 0
    public var missingAssets: [String: Int] = [:]

    public static let lateMicros: UInt64 = 1000

    public init() {}

    public mutating func recordResponse(status: Int, responseMicros: UInt64, serviceMicros: UInt64) {
        completed += 1
        statuses[status, default: 0] += 1
        if status >= 400 { errors += 1 }
        _ = response.record(min(responseMicros, response.highestTrackableValue))
        _ = service.record(min(serviceMicros, service.highestTrackableValue))
    }

    /// An asset a page named answered `status` (0: no answer); a failed one is kept by path,
    /// up to 100 distinct paths, so a run that misses thousands of assets stays small.
    public mutating func recordAsset(_ path: String, status: Int) {
        assets += 1
        guard status == 0 || status >= 400 else { return }
        let key = "\(path): \(status == 0 ? "no response" : String(status))"
        if missingAssets[key] != nil || missingAssets.count < 100 {
            missingAssets[key, default: 0] += 1
        } else {
            missingAssets["other assets", default: 0] += 1
        }
    }

    public mutating func recordSent(lagMicros: UInt64) {
        sent += 1
        if lagMicros > Self.lateMicros { late += 1 }
        _ = lag.record(min(lagMicros, lag.highestTrackableValue))
    }

    public mutating func recordFailure(_ kind: String) {
        errors += 1
        failures[kind, default: 0] += 1
    }

    public mutating func merge(_ other: LoadRecorder) {
        response.add(other.response)
        service.add(other.service)
        lag.add(other.lag)
        sent += other.sent
        completed += other.completed
        errors += other.errors
        late += other.late
        dropped += other.dropped
        statuses.merge(other.statuses, uniquingKeysWith: +)
        failures.merge(other.failures, uniquingKeysWith: +)
        assets += other.assets
        missingAssets.merge(other.missingAssets, uniquingKeysWith: +)
    }
}
