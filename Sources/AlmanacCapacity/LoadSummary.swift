import Histogram

/// A latency distribution as reports show it: the percentile spectrum and the maximum, in ms.
public struct Spectrum: Codable, Sendable, Hashable {
    public var count: Int
    public var mean: Double
    public var p50, p75, p90, p95, p99, p999, p9999, max: Double

    public init(_ histogram: LatencyHistogram) {
        func ms(_ p: Double) -> Double { histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(p)) / 1000 }
        count = Int(histogram.totalCount)
        mean = histogram.totalCount == 0 ? 0 : histogram.mean / 1000
        p50 = ms(50)
        p75 = ms(75)
        p90 = ms(90)
        p95 = ms(95)
        p99 = ms(99)
        p999 = ms(99.9)
        p9999 = ms(99.99)
        max = histogram.totalCount == 0 ? 0 : Double(histogram.max) / 1000
    }
}

/// A count of something (a status code, a kind of failure): kept as a list, not a map, so the
/// JSON keys stay fixed whatever a failure's text.
public struct Count: Codable, Sendable, Hashable {
    public var what: String
    public var count: Int
}

/// One second of a run, for the chart of latency over time.
public struct LoadInterval: Codable, Sendable, Hashable {
    public var second: Int
    public var completed: Int
    public var errors: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double

    public init(second: Int, completed: Int, errors: Int, histogram: LatencyHistogram) {
        self.second = second
        self.completed = completed
        self.errors = errors
        let spectrum = Spectrum(histogram)
        p50 = spectrum.p50
        p90 = spectrum.p90
        p99 = spectrum.p99
        max = spectrum.max
    }
}

/// What a run found, as stored, reported and checked against the thresholds.
public struct LoadSummary: Codable, Sendable {
    public var seconds: Double
    public var sent: Int
    public var completed: Int
    public var errors: Int
    public var late: Int
    public var dropped: Int
    /// Completed responses per second.
    public var rate: Double
    public var errorRate: Double
    public var lateRate: Double
    public var droppedRate: Double
    public var response: Spectrum
    public var service: Spectrum
    public var lag: Spectrum
    /// Responses by status code, lowest first.
    public var statuses: [Count]
    /// Requests without a response by what happened, most frequent first.
    public var failures: [Count]
    /// Assets fetched after their pages and the ones that failed; nil when the test fetched none.
    public var assets: Int?
    public var missingAssets: [Count]?

    public init(_ recorder: LoadRecorder, seconds: Double) {
        self.seconds = seconds
        sent = recorder.sent
        completed = recorder.completed
        errors = recorder.errors
        late = recorder.late
        dropped = recorder.dropped
        rate = seconds > 0 ? Double(recorder.completed) / seconds : 0
        let attempted = recorder.sent + recorder.dropped
        errorRate = recorder.sent == 0 ? (recorder.errors > 0 ? 1 : 0) : Double(recorder.errors) / Double(recorder.sent)
        lateRate = recorder.sent == 0 ? 0 : Double(recorder.late) / Double(recorder.sent)
        droppedRate = attempted == 0 ? 0 : Double(recorder.dropped) / Double(attempted)
        response = Spectrum(recorder.response)
        service = Spectrum(recorder.service)
        lag = Spectrum(recorder.lag)
        statuses = recorder.statuses.sorted { $0.key < $1.key }.map { Count(what: String($0.key), count: $0.value) }
        failures = Self.counts(recorder.failures)
        if recorder.assets > 0 {
            assets = recorder.assets
            missingAssets = Self.counts(recorder.missingAssets)
        }
    }

    /// Most frequent first, then by name: the same order in every report.
    static func counts(_ counts: [String: Int]) -> [Count] {
        counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { Count(what: $0.key, count: $0.value) }
    }

    /// Each threshold against this run: percentiles read exactly from the recorder's histograms.
    public func check(_ thresholds: [Threshold], recorder: LoadRecorder) -> [ThresholdResult] {
        thresholds.map { threshold in
            let value: Double
            switch threshold.metric {
            case .responsePercentile(let p): value = Double(recorder.response.valueAtPercentile(p))
            case .servicePercentile(let p): value = Double(recorder.service.valueAtPercentile(p))
            case .maximum: value = Double(recorder.response.max)
            case .mean: value = recorder.response.mean
            case .errorRate: value = errorRate
            case .rate: value = rate
            case .lateRate: value = lateRate
            case .droppedRate: value = droppedRate
            }
            let shown =
                Threshold.isLatency(threshold.metric)
                ? "\((value / 1000 * 100).rounded() / 100) ms"
                : threshold.metric == .rate ? "\(Int(value.rounded())) requests/s" : "\((value * 10000).rounded() / 100)%"
            return ThresholdResult(
                threshold: threshold.text, value: shown,
                passed: threshold.holds(value) && (!Threshold.isLatency(threshold.metric) || recorder.response.totalCount > 0))
        }
    }
}

public struct ThresholdResult: Codable, Sendable, Hashable {
    public var threshold: String
    public var value: String
    public var passed: Bool
}
