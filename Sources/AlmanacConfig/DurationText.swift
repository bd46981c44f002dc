/// Durations as config files write them (`500ms`, `30s`, `5m`, `4h`, `7d`, as Prometheus does)
/// and as people read them (`12 minutes`, `4.5 hours`, `12 days`): the one place for both.
public enum DurationText {
    private static let units: [(suffix: String, ms: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]

    /// Milliseconds of `30s`, `5m`, `2h` or `3d`; nil when the text is not such a duration.
    public static func milliseconds(_ text: String) -> Int64? {
        for unit in units where text.hasSuffix(unit.suffix) {
            if let n = Int64(text.dropLast(unit.suffix.count)), n >= 0 {
                let (product, overflow) = n.multipliedReportingOverflow(by: unit.ms)
                return overflow ? nil : product
            }
        }
        return nil
    }

    /// A duration field of a config file; nil when absent, an error naming the field when it
    /// is not a positive duration.
    public static func milliseconds(_ node: ConfigNode?) throws(ConfigError) -> Int64? {
        guard let node else { return nil }
        let text = node.string ?? node.scalar.map { JSONWriter.string($0) }
        guard let text, let ms = milliseconds(text), ms > 0 else { throw node.error("must be a duration such as 15s, 1m or 2h") }
        return ms
    }

    /// The shortest config form: `90s`, `5m`, `2h`, `7d`, `250ms`.
    public static func compact(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        for unit in units.reversed() where ms >= unit.ms && ms % unit.ms == 0 { return "\(ms / unit.ms)\(unit.suffix)" }
        return "\(ms)ms"
    }

    /// A span for people: seconds under a minute and a half, minutes under an hour and a half,
    /// hours under two days, then days; one decimal below ten (`4.5 hours`), whole numbers above.
    public static func span(_ ms: Int64) -> String {
        if ms < 90_000 { return "\(Int((Double(max(ms, 0)) / 1000).rounded())) seconds" }
        let minutes = Double(ms) / 60_000
        if minutes < 90 { return "\(Int(minutes.rounded())) minutes" }
        if minutes < 48 * 60 { return number(minutes / 60) + " hours" }
        return number(minutes / 1440) + " days"
    }

    /// A number of days as `span` writes it: `7.5`, `13`.
    public static func days(_ ms: Int64) -> String { number(Double(ms) / 86_400_000) }

    private static func number(_ value: Double) -> String {
        if value >= 10 { return String(Int(value.rounded())) }
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
