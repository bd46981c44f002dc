import AlmanacAlerts
import AlmanacConfig
import AlmanacReporting

/// Every rule with its levels and the service it guards: the one place to read what is
/// watched and at which levels, exported for the team's documentation.
public struct ThresholdSheet: Sendable {
    public var rules: [AlertRule]

    public init(rules: [AlertRule]) {
        self.rules = rules.sorted { ($0.service ?? "", $0.name) < ($1.service ?? "", $1.name) }
    }

    public struct Record: Sendable, Codable, Equatable {
        public var service: String
        public var rule: String
        public var series: String
        public var function: String
        public var kind: String
        public var direction: String?
        public var warning: Double?
        public var critical: Double?
        public var hysteresis: Double?
        public var within: String?
        public var confidence: Double?
        public var absentFor: String?
        public var pendingFor: String
        public var keepFiringFor: String
        public var runbook: String?
        public var definedIn: String
    }

    public var records: [Record] {
        rules.map { rule in
            var record = Record(
                service: rule.service ?? "", rule: rule.name, series: rule.selector.description, function: Self.function(rule.function), kind: "",
                pendingFor: DurationText.compact(rule.pendingFor), keepFiringFor: DurationText.compact(rule.keepFiringFor), runbook: rule.runbook,
                definedIn: "\(rule.file):\(rule.line)")
            switch rule.condition {
            case .threshold(let direction, let warning, let critical, let hysteresis):
                record.kind = "threshold"
                record.direction = direction.rawValue
                record.warning = warning
                record.critical = critical
                record.hysteresis = hysteresis
            case .forecast(let direction, let level, let within, let confidence):
                record.kind = "forecast"
                record.direction = direction.rawValue
                record.critical = level
                record.within = DurationText.compact(within)
                record.confidence = confidence
            case .absent(let duration):
                record.kind = "absent"
                record.absentFor = DurationText.compact(duration)
            }
            return record
        }
    }

    public var table: ReportTable {
        ReportTable(
            headers: ["Service", "Rule", "Series", "Condition", "Warning", "Critical", "For", "Defined in"],
            rows: records.map { r in
                let symbol = r.direction == "below" ? "<" : ">"
                let condition: String
                switch r.kind {
                case "forecast": condition = "forecast \(r.function) \(symbol) level within \(r.within ?? "") at \(Int((r.confidence ?? 0) * 100))%"
                case "absent": condition = "no sample for \(r.absentFor ?? "")"
                default:
                    condition =
                        "\(r.function) \(symbol) level" + ((r.hysteresis ?? 0) > 0 ? " (hysteresis \(ReportFormat.number(r.hysteresis!)))" : "")
                }
                return [
                    r.service, r.rule, r.series, condition, r.warning.map(ReportFormat.number) ?? "", r.critical.map(ReportFormat.number) ?? "",
                    r.pendingFor, r.definedIn,
                ]
            })
    }

    public func markdown() -> String {
        "## Thresholds\n\nEvery alert rule, by service, from `monitoring/rules/`.\n\n" + table.markdown()
    }

    static func function(_ function: AlertRule.Function) -> String {
        switch function {
        case .last: return "last"
        case .rate(let w): return "rate(\(DurationText.compact(w)))"
        case .deriv(let w): return "deriv(\(DurationText.compact(w)))"
        case .average(let w): return "avg(\(DurationText.compact(w)))"
        case .maximum(let w): return "max(\(DurationText.compact(w)))"
        case .minimum(let w): return "min(\(DurationText.compact(w)))"
        }
    }

    /// Durations as rule files write them: `90s`, `5m`, `2h`, `7d`.
}
