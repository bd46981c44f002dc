import AlmanacAlerts
import AlmanacMetrics

/// Counters split by a label that names a variant (errors by flag variant), as experiments' series
/// metrics and ramps' guardrails read them: each variant's series, or why there are none.
enum VariantCounters {
    struct Unreadable: Error { var why: String }

    /// The series `text` selects in `[from, to]`, grouped by the value of `label`.
    static func read(
        _ text: String, label: String, source: any SeriesSource, from: Int64, to: Int64
    ) async throws
        -> Result<[String: [[Sample]]], Unreadable>
    {
        let selector: Selector
        do {
            selector = try Selector(text)
        } catch {
            return .failure(Unreadable(why: "'\(text)' is not a valid selector: \(error)"))
        }
        let data = try await source.select(selector, from: from, to: to)
        guard !data.isEmpty else { return .failure(Unreadable(why: "the selector \(text) matches no series")) }
        var out: [String: [[Sample]]] = [:]
        for item in data {
            guard let variant = item.labels.first(where: { $0.name == label })?.value else { continue }
            out[variant, default: []].append(item.samples)
        }
        if out.isEmpty { return .failure(Unreadable(why: "no series of \(text) has the label \(label)")) }
        return .success(out)
    }

    /// Per variant, what its counters counted in `(from, through]`.
    static func counts(_ series: [String: [[Sample]]], after from: Int64, through at: Int64) -> [String: Double] {
        series.mapValues { list in list.reduce(0) { $0 + CounterMath.growth($1, after: from, through: at) } }
    }
}
