import AlmanacAlerts
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
            let selector: Selector
            do {
                selector = try Selector(text)
            } catch {
                return .failure(Unreadable(why: "'\(text)' is not a valid selector: \(error)"))
            }
            let data = try await source.select(selector, from: from - anchor, to: to)
            guard !data.isEmpty else { return .failure(Unreadable(why: "the selector \(text) matches no series")) }
            var out: [String: [[Sample]]] = [:]
            for item in data {
                guard let variant = item.labels.first(where: { $0.name == series.label })?.value else { continue }
                out[variant, default: []].append(item.samples)
            }
            if out.isEmpty { return .failure(Unreadable(why: "no series of \(text) has the label \(series.label)")) }
            return .success(out)
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

    struct Unreadable: Error { var why: String }

    /// Per variant, what the counters counted in `(from, at]`.
    func counts(_ part: [String: [[Sample]]], through at: Int64) -> [String: Double] {
        part.mapValues { series in series.reduce(0) { $0 + CounterMath.growth($1, after: from, through: at) } }
    }
}
