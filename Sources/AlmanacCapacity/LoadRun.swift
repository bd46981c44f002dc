/// One stored run of a load test: what it measured, against which revisions, what it cost.
public struct LoadRun: Codable, Sendable {
    public var test: String
    public var service: String
    /// `run`, or `saturate` for a saturation search (then `steps` holds its curve).
    public var kind: String
    public var startedAt: Int64
    public var target: String
    /// The pace as the run used it: `open 500/s for 30s`, `closed 32 connections for 30s`.
    public var model: String
    public var summary: LoadSummary
    public var thresholds: [ThresholdResult]
    public var intervals: [LoadInterval]
    /// The response-time histogram as `[value µs, count]` pairs of its recorded buckets.
    public var histogram: [[UInt64]]
    /// Each of the service's hosts and the revision it ran (from the pipeline's checks).
    public var revisions: [HostRevision]
    public var revision: String?
    /// Why the run stopped early; its results are partial.
    public var aborted: String?
    public var usage: Usage?
    public var steps: [SaturationStep]?
    public var sustainableRate: Double?
    public var passed: Bool

    public init(
        test: LoadTest, kind: String, startedAt: Int64, model: LoadTest.Model, summary: LoadSummary, thresholds: [ThresholdResult],
        intervals: [LoadInterval], histogram: LatencyHistogram, aborted: String?
    ) {
        self.test = test.name
        service = test.service
        self.kind = kind
        self.startedAt = startedAt
        target = test.target
        self.model = Self.describe(model)
        self.summary = summary
        self.thresholds = thresholds
        self.intervals = intervals
        self.histogram = histogram.recordedValues().map { [$0.value, UInt64($0.count)] }
        revisions = []
        self.aborted = aborted
        // A run that got no response at all fails, thresholds or not.
        passed = aborted == nil && summary.completed > 0 && thresholds.allSatisfy(\.passed)
    }

    /// `passed`, `failed`, or `partial` when it stopped early.
    public var outcome: String { aborted != nil ? "partial" : passed ? "passed" : "failed" }

    public var failedThresholds: [String] { thresholds.filter { !$0.passed }.map(\.threshold) }

    public static func describe(_ model: LoadTest.Model) -> String {
        func rate(_ r: Double) -> String { r == r.rounded() ? String(Int(r)) : String(r) }
        func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s))s" : "\(s)s" }
        switch model {
        case .closed(let connections, let s): return "closed, \(connections) connections for \(seconds(s))"
        case .open(let stages, let connections):
            let parts = stages.map {
                $0.from == $0.to
                    ? "\(rate($0.from))/s for \(seconds($0.seconds))" : "\(rate($0.from)) to \(rate($0.to))/s over \(seconds($0.seconds))"
            }
            return "open, " + parts.joined(separator: ", then ") + " (up to \(connections) connections)"
        }
    }
}

public struct HostRevision: Codable, Sendable, Hashable {
    public var host: String
    public var revision: String
    public init(host: String, revision: String) {
        self.host = host
        self.revision = revision
    }
}

/// What the service's hosts used during a run, per request.
public struct Usage: Codable, Sendable, Hashable {
    /// CPU time the service spent per completed request.
    public var cpuMillisecondsPerRequest: Double?
    /// Peak resident memory over the run.
    public var memoryPeakBytes: Double?
    /// Memory above the idle baseline, divided by the mean number of requests in flight.
    public var memoryPerConcurrentRequestBytes: Double?
    /// The series read, for the reader to check.
    public var cpuSeries: [String]
    public var memorySeries: [String]

    public init(
        cpuMillisecondsPerRequest: Double?, memoryPeakBytes: Double?, memoryPerConcurrentRequestBytes: Double?, cpuSeries: [String],
        memorySeries: [String]
    ) {
        self.cpuMillisecondsPerRequest = cpuMillisecondsPerRequest
        self.memoryPeakBytes = memoryPeakBytes
        self.memoryPerConcurrentRequestBytes = memoryPerConcurrentRequestBytes
        self.cpuSeries = cpuSeries
        self.memorySeries = memorySeries
    }
}

/// One rung of a saturation search.
public struct SaturationStep: Codable, Sendable, Hashable {
    public var rate: Double
    public var achieved: Double
    public var p50: Double
    public var p99: Double
    public var errorRate: Double
    public var passed: Bool
    public var failed: [String]
}
