import AlmanacConfig
import AlmanacReporting

/// SLOs as reports print them: a table, and records with stable snake_case keys for JSON.
public struct SLORecord: Sendable, Encodable {
    public var name: String
    public var service: String
    public var objectivePercent: Double
    public var windowDays: Double
    public var goodEvents: Double?
    public var totalEvents: Double?
    public var ratioPercent: Double?
    public var budgetRemainingPercent: Double?
    /// Burn rates by window, as `5m`, `1h`, `6h`, `3d`.
    public var burnRates: [String: Double]
    /// `page`, `ticket`, or nil.
    public var alert: String?
    public var budgetEndsAt: Int64?
    public var problem: String?
    public var file: String

    public init(_ slo: SLO, _ evaluation: SLOEvaluation?, problem: String?) {
        name = slo.name
        service = slo.service
        objectivePercent = slo.objective * 100
        windowDays = Double(slo.window) / 86_400_000
        goodEvents = evaluation?.budget.good
        totalEvents = evaluation?.budget.total
        ratioPercent = evaluation?.budget.ratio.map { $0 * 100 }
        budgetRemainingPercent = evaluation?.budget.remaining.map { $0 * 100 }
        burnRates = Dictionary(uniqueKeysWithValues: (evaluation?.burnRates ?? [:]).map { (DurationText.compact($0.key), $0.value) })
        alert = evaluation?.condition?.severity.rawValue
        budgetEndsAt = evaluation?.exhaustion?.likely ?? evaluation?.exhaustion?.earliest
        self.problem = problem
        file = "\(slo.file):\(slo.line)"
    }
}

/// What the API and `almanac report slos --format json` print: the records and the moment they
/// were computed at, so they can be compared with another tool's figures at that moment.
public struct SLOList: Sendable, Encodable {
    public var evaluatedAt: Int64
    public var slos: [SLORecord]

    public init(evaluatedAt: Int64, slos: [SLORecord]) {
        self.evaluatedAt = evaluatedAt
        self.slos = slos
    }
}

public enum SLOReport {
    public static func table(_ records: [SLORecord]) -> ReportTable {
        func percent(_ value: Double?, digits: Int) -> String { value.map { String(format: "%.\(digits)f%%", $0) } ?? "" }
        func burn(_ record: SLORecord, _ window: String) -> String { record.burnRates[window].map { String(format: "%.2f×", $0) } ?? "" }
        return ReportTable(
            headers: ["SLO", "Service", "Objective", "Window", "Good", "Budget left", "Burn 1h", "Burn 6h", "Burn 3d", "Alert", "Budget ends"],
            rows: records.map { r in
                [
                    r.name, r.service, percent(r.objectivePercent, digits: 2), String(format: "%gd", r.windowDays),
                    r.problem ?? percent(r.ratioPercent, digits: 3),
                    percent(r.budgetRemainingPercent, digits: 1), burn(r, "1h"), burn(r, "6h"), burn(r, "3d"), r.alert ?? "",
                    r.budgetEndsAt.map { ReportFormat.date($0) } ?? "",
                ]
            })
    }
}
