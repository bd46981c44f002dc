/// What a service needs at a future traffic peak: the forecast's peak request rate (with its
/// range) times what one request cost in a load test, plus a margin; memory grows with the
/// requests in flight (Little's law: rate × mean service time).
public struct TrafficSizing: Codable, Sendable, Hashable {
    public struct Range: Codable, Sendable, Hashable {
        public var low: Double
        public var likely: Double
        public var high: Double

        public init(low: Double, likely: Double, high: Double) {
            self.low = low
            self.likely = likely
            self.high = high
        }

        func map(_ transform: (Double) -> Double) -> Range { Range(low: transform(low), likely: transform(likely), high: transform(high)) }
    }

    /// The date sized for (ms).
    public var at: Int64
    /// Peak requests per second expected then.
    public var peakRate: Range
    public var cpuCores: Range
    public var memoryBytes: Range
    /// The load test run whose cost per request this uses.
    public var costRun: Int64
    public var cpuMillisecondsPerRequest: Double

    /// `baseMemory` is what the service holds with no request in flight (the observed peak).
    public init(
        at: Int64, peakRate: Range, cpuMillisecondsPerRequest: Double, memoryPerConcurrentRequest: Double?, meanServiceMilliseconds: Double,
        baseMemory: Double, margin: Double, costRun: Int64
    ) {
        self.at = at
        let rate = peakRate.map { max(0, $0) }
        self.peakRate = rate
        cpuCores = rate.map { $0 * cpuMillisecondsPerRequest / 1000 * (1 + margin) }
        memoryBytes = rate.map { baseMemory + $0 * meanServiceMilliseconds / 1000 * (memoryPerConcurrentRequest ?? 0) * (1 + margin) }
        self.costRun = costRun
        self.cpuMillisecondsPerRequest = cpuMillisecondsPerRequest
    }

    /// Requests and limits that cover both today's usage and the peak: the likely peak as
    /// request, the high end of its range as limit.
    public func values(over recommendation: Recommender.Recommendation) -> ResourcePatch.Values {
        var values = ResourcePatch.Values(recommendation)
        values.cpuRequest = max(values.cpuRequest, cpuCores.likely)
        values.cpuLimit = max(values.cpuLimit, cpuCores.high)
        values.memoryRequest = max(values.memoryRequest, memoryBytes.likely)
        values.memoryLimit = max(values.memoryLimit, memoryBytes.high)
        return values
    }
}
