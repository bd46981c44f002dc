/// The rungs of a saturation search and the verdict on each: a rate holds when every threshold
/// passes, the server kept up (95% of the asked rate answered) and under 1% was dropped.
public struct SaturationSearch: Sendable {
    public let rates: [Double]
    let thresholds: [Threshold]

    public init(_ saturation: LoadTest.Saturation, thresholds: [Threshold]) {
        var rates: [Double] = []
        var rate = saturation.start
        while rate <= saturation.maximum && rates.count < 100 {
            rates.append(rate.rounded())
            rate *= saturation.factor
        }
        self.rates = rates
        self.thresholds = thresholds
    }

    public func judge(rate: Double, run: LoadRun) -> SaturationStep {
        var failed = run.failedThresholds
        if run.summary.rate < rate * 0.95 {
            failed.append("answered \(Int(run.summary.rate.rounded()))/s of \(Int(rate))/s")
        }
        if run.summary.droppedRate >= 0.01 { failed.append("dropped \(Int((run.summary.droppedRate * 100).rounded()))%") }
        if let aborted = run.aborted { failed.append(aborted) }
        return SaturationStep(
            rate: rate, achieved: run.summary.rate, p50: run.summary.response.p50, p99: run.summary.response.p99, errorRate: run.summary.errorRate,
            passed: failed.isEmpty, failed: failed)
    }
}
