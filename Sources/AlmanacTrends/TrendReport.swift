import AlmanacCharts
import AlmanacConfig
import AlmanacMetrics
import AlmanacReporting

/// The trends report: per service and metric, growth per day, week and month and the projected
/// crossing of its level, fastest first; as a table, JSON records or a standalone HTML page.
public struct TrendReport: Sendable {
    public var trends: [Trend]
    public var generatedAt: Int64

    public init(trends: [Trend], generatedAt: Int64) {
        self.trends = trends.ranked()
        self.generatedAt = generatedAt
    }

    static func seriesText(_ subject: TrendSubject) -> String {
        let labels = subject.labels.filter { $0.name != "service" }.map { "\($0.name)=\"\($0.value)\"" }
        return labels.isEmpty ? subject.name : subject.name + "{" + labels.joined(separator: ",") + "}"
    }

    func crossingText(_ trend: Trend) -> (likely: String, range: String) {
        guard trend.subject.threshold != nil else { return ("", "") }
        guard trend.lookedAhead > 0 else { return ("\(DurationText.span(trend.observed)) of data, no forecast yet", "") }
        let beyond = trend.lookedAhead >= 365 * 86_400_000 ? "a year" : DurationText.span(trend.lookedAhead)
        guard let crossing = trend.crossing else { return ("not within \(beyond)", "") }
        let after = { (t: Int64) in DurationText.span(t - trend.now) }
        let likely = crossing.likely.map { "\(ReportFormat.date($0)) (in \(after($0)))" } ?? "beyond \(beyond)"
        let range = "\(ReportFormat.date(crossing.earliest)) to \(crossing.latest.map(ReportFormat.date) ?? "beyond \(beyond)")"
        return (likely, range)
    }

    /// The model, and when growth changed pace, by how much: "growth changed on DATE, from X/day to Y/day".
    static func modelText(_ trend: Trend) -> String {
        guard let change = trend.change else { return trend.model }
        return "\(trend.model); growth changed on \(ReportFormat.date(change.at)), from \(ReportFormat.signed(change.beforePerDay))/day "
            + "to \(ReportFormat.signed(change.afterPerDay))/day"
    }

    public var table: ReportTable {
        ReportTable(
            headers: ["Service", "Series", "Now", "Per day", "Per week", "Per month", "Model", "Level", "Likely crossing", "Range"],
            rows: trends.map { t in
                let crossing = crossingText(t)
                let level = t.subject.threshold.map { "\(t.subject.direction == .above ? ">" : "<") \(ReportFormat.number($0))" } ?? ""
                return [
                    t.subject.service, Self.seriesText(t.subject), ReportFormat.number(t.current), ReportFormat.signed(t.perDay),
                    ReportFormat.signed(t.perWeek), ReportFormat.signed(t.perMonth), Self.modelText(t), level, crossing.likely, crossing.range,
                ]
            })
    }

    public func markdown() -> String {
        "## Trends\n\nGenerated \(ReportFormat.date(generatedAt)) by `almanac report trends`; fastest first: series heading for their "
            + "level soonest, then by growth relative to their size. Growth is the robust trend of the current regime "
            + "(after the last cleanup or change of pace; an exponential where growth compounds).\n\n" + table.markdown()
    }

    public func text() -> String { table.text() }

    /// One record per trend, for `--format json` and the API.
    public var records: [Record] {
        trends.map { t in
            Record(
                service: t.subject.service, name: t.subject.name, labels: Dictionary(t.subject.labels.map { ($0.name, $0.value) }) { a, _ in a },
                current: t.current, perDay: t.perDay, perWeek: t.perWeek, perMonth: t.perMonth, regime: t.regime.rawValue, model: t.model,
                regimeStart: t.regimeStart, growthChangedAt: t.change?.at, growthBeforePerDay: t.change?.beforePerDay,
                growthAfterPerDay: t.change?.afterPerDay, backtestError: t.backtestError,
                threshold: t.subject.threshold, direction: t.subject.direction.rawValue, rule: t.subject.source,
                crossingEarliest: t.crossing?.earliest, crossingLikely: t.crossing?.likely, crossingLatest: t.crossing?.latest, observedMs: t.observed
            )
        }
    }

    public struct Record: Sendable, Codable, Equatable {
        public var service: String
        public var name: String
        public var labels: [String: String]
        public var current: Double
        public var perDay: Double
        public var perWeek: Double
        public var perMonth: Double
        public var regime: String
        public var model: String
        public var regimeStart: Int64
        public var growthChangedAt: Int64?
        public var growthBeforePerDay: Double?
        public var growthAfterPerDay: Double?
        public var backtestError: Double?
        public var threshold: Double?
        public var direction: String
        public var rule: String?
        public var crossingEarliest: Int64?
        public var crossingLikely: Int64?
        public var crossingLatest: Int64?
        /// The history the forecast rests on (ms): under `Forecaster.minimumHistory`, no crossing.
        public var observedMs: Int64
    }

    /// A chart per trend: hourly history, the forecast band, the level and its crossing, and
    /// the changes (rollouts, flag changes) of its time.
    public func chart(_ trend: Trend, markers: [ChartMarker] = []) -> String {
        var chart = TimeChart(
            title: "\(trend.subject.service): \(Self.seriesText(trend.subject))",
            history: trend.history.map { TimeChart.Point(time: $0.timestamp, value: $0.value) },
            forecast: trend.band.map { TimeChart.BandPoint(time: $0.time, low: $0.low, likely: $0.likely, high: $0.high) },
            threshold: trend.subject.threshold,
            crossing: trend.crossing.map { ($0.earliest, $0.likely, $0.latest) }
        )
        chart.change = trend.change?.at
        chart.markers = markers
        chart.unit = ChartUnit.of(seriesName: trend.subject.name)
        return chart.svg()
    }

    /// A page that stands alone (committed to the docs or mailed): the table, then a chart per trend.
    public func html() -> String {
        var out = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Trends</title>"
        out +=
            "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}</style>"
        out += "</head><body><h1>Trends</h1><p>Generated \(ReportFormat.date(generatedAt)); fastest first.</p>"
        out += table.html(id: "trends")
        for trend in trends { out += "<figure>" + chart(trend) + "</figure>" }
        return out + "</body></html>\n"
    }
}
