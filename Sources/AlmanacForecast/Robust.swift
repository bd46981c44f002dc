/// Order statistics the forecaster leans on: medians and quantiles resist the bursts and
/// outliers that make least squares raise false alarms.
enum Robust {
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        quantile(sorted: values.sorted(), q)
    }

    /// The quantile of values already sorted, so several quantiles share one sort.
    static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    static func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

    /// Median absolute deviation scaled to match a normal standard deviation.
    static func scale(_ values: [Double]) -> Double {
        let m = median(values)
        return 1.4826 * median(values.map { abs($0 - m) })
    }

    /// At most `limit` evenly spaced elements, so pairwise methods stay cheap on long series.
    static func thin<T>(_ items: [T], to limit: Int) -> [T] {
        guard items.count > limit, limit > 1 else { return items }
        let step = Double(items.count - 1) / Double(limit - 1)
        return (0..<limit).map { items[Int((Double($0) * step).rounded())] }
    }
}
