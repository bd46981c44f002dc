/// Multiwindow, multi-burn-rate alerting (SRE Workbook, "Alerting on SLOs", recommendation 6):
/// each condition needs its long window to burn fast enough to matter and its short window to
/// still be burning, so an alert fires quickly and resolves soon after the burn stops.
public struct BurnRateAlerts: Sendable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case ticket, page
        public static func < (a: Severity, b: Severity) -> Bool { a == .ticket && b == .page }
    }

    public struct Condition: Sendable, Hashable {
        public var severity: Severity
        /// The burn rate both windows must exceed.
        public var factor: Double
        public var long: Int64
        public var short: Int64
    }

    /// The Workbook's table for a 30-day window: 2% of the budget in an hour pages (14.4×),
    /// 5% in six hours pages (6×), 10% in three days opens a ticket (1×).
    public static let workbook: [Condition] = [
        Condition(severity: .page, factor: 14.4, long: 3_600_000, short: 300_000),
        Condition(severity: .page, factor: 6, long: 21_600_000, short: 1_800_000),
        Condition(severity: .ticket, factor: 1, long: 259_200_000, short: 21_600_000),
    ]

    /// Every window the conditions read, longest first.
    public static var windows: [Int64] { Set(workbook.flatMap { [$0.long, $0.short] }).sorted(by: >) }

    /// The most severe condition that holds, given the burn rate over each window (nil where
    /// there were no events); nil when none holds.
    public static func evaluate(_ burnRate: (Int64) -> Double?) -> Condition? {
        workbook.filter { condition in
            guard let long = burnRate(condition.long), let short = burnRate(condition.short) else { return false }
            return long > condition.factor && short > condition.factor
        }.max { $0.severity < $1.severity }
    }
}
