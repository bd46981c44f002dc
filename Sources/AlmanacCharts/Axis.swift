import Foundation

/// What a chart's values measure, for the labels on its axis.
public enum ChartUnit: String, Sendable {
    /// Plain numbers, with SI suffixes (k, M, G).
    case plain
    /// Bytes: kB, MB, GB, TB (powers of 1000, as node_exporter's dashboards show disks).
    case bytes
    /// Seconds: ms, s, min, h.
    case seconds
    /// A ratio from 0 to 1, shown in percent.
    case ratio

    /// The unit a Prometheus series name states by convention (`_bytes`, `_seconds`, `_ratio`).
    public static func of(seriesName name: String) -> ChartUnit {
        let base = name.replacingOccurrences(of: "_total", with: "")
        if base.hasSuffix("_bytes") { return .bytes }
        if base.hasSuffix("_seconds") { return .seconds }
        if base.hasSuffix("_ratio") { return .ratio }
        return .plain
    }
}

/// Ticks for a value axis: round steps (1, 2 or 5 times a power of ten in the shown unit), and
/// labels with just enough digits that neighbours differ: a flat series near 1 once read
/// `1.00, 1.00, 0.99, 0.99`.
public struct Axis: Sendable, Equatable {
    public var low: Double
    public var high: Double
    public var ticks: [Double]
    public var labels: [String]

    /// About `count` ticks covering `low...high`; the axis widens to the outer ticks.
    public init(low: Double, high: Double, unit: ChartUnit, count: Int = 5) {
        let (scale, suffix) = Self.scale(for: max(abs(low), abs(high)), unit: unit)
        var (a, b) = (low / scale, high / scale)
        if !(b > a) { (a, b) = (a - max(abs(a) * 0.05, 0.5), b + max(abs(b) * 0.05, 0.5)) }
        let step = Self.niceStep((b - a) / Double(max(count - 1, 1)))
        let first = (a / step + 1e-9).rounded(.down) * step
        let last = (b / step - 1e-9).rounded(.up) * step
        let n = Int(((last - first) / step).rounded())
        let shown = (0...n).map { first + Double($0) * step }
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        ticks = shown.map { $0 * scale }
        labels = shown.map { value in
            let rounded = abs(value) < step / 2 ? 0 : value
            return String(format: "%.\(decimals)f", rounded) + suffix
        }
        (self.low, self.high) = (ticks.first ?? low, ticks.last ?? high)
    }

    /// 1, 2 or 5 times a power of ten, the nearest to `raw` on a log scale.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, log10(raw).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.min { abs(log($0 / raw)) < abs(log($1 / raw)) }!
    }

    /// The multiple the labels are written in, with its suffix.
    static func scale(for magnitude: Double, unit: ChartUnit) -> (Double, String) {
        switch unit {
        case .ratio: return (0.01, "%")
        case .seconds:
            for (size, suffix) in [(3600.0, " h"), (60, " min"), (1, " s")] where magnitude >= size { return (size, suffix) }
            return magnitude >= 0.001 || magnitude == 0 ? (0.001, " ms") : (1e-6, " µs")
        case .bytes, .plain:
            let units: [(Double, String)] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
            let b = unit == .bytes
            for (size, suffix) in units where magnitude >= size { return (size, b ? " \(suffix)B" : suffix) }
            return (1, b ? " B" : "")
        }
    }
}
