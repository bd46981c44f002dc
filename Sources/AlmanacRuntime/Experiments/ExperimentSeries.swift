import AlmanacExperiments
import AlmanacMetrics

/// The counters of an experiment's series metrics, read once for a results page and counted up
/// to each moment of its history: per variant, what each counter counted since `from`.
struct ExperimentSeries: Sendable {
    var numerator: [String: [[Sample]]]
    var denominator: [String: [[Sample]]]
    var from: Int64

    /// How far before the first exposure a counter's anchor sample is looked for.
    static let anchor: Int64 = 3_600_000

    /// Reads a metric's counters, or says why it cannot (a bad selector, one that matches nothing).
    static func read(
        _ series: ExperimentSpec.Metric.Series, source: any SeriesSource, from: Int64, to: Int64
    ) async throws -> Result<Self, Unreadable> {
        func samples(_ text: String) async throws -> Result<[String: [[Sample]]], Unreadable> {
            try await VariantCounters.read(text, label: series.label, source: source, from: from - anchor, to: to)
        }
        let numerator: [String: [[Sample]]]
        switch try await samples(series.numerator) {
        case .success(let found): numerator = found
        case .failure(let problem): return .failure(problem)
        }
        var denominator: [String: [[Sample]]] = [:]
        if let text = series.denominator {
            switch try await samples(text) {
            case .success(let found): denominator = found
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(Self(numerator: numerator, denominator: denominator, from: from))
    }

    typealias Unreadable = VariantCounters.Unreadable

    /// Per variant, what the counters counted in `(from, at]`.
    func counts(_ part: [String: [[Sample]]], through at: Int64) -> [String: Double] {
        VariantCounters.counts(part, after: from, through: at)
    }
}
