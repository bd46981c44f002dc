import AlmanacConfig
import AlmanacMetrics

/// Parses a rules file, reporting every mistake as `file:line: field: message`.
///
/// ```yaml
/// rules:
///   - alert: DiskAlmostFull
///     service: database
///     series: node_filesystem_avail_bytes{mountpoint="/"}
///     function: last                 # last | rate(5m) | deriv(1h) | avg(10m) | max(10m) | min(10m)
///     below: {warning: 20e9, critical: 5e9}
///     hysteresis: 1e9
///     for: 10m
///     keep_firing_for: 15m
///   - alert: DiskFullSoon
///     series: node_filesystem_avail_bytes{mountpoint="/"}
///     forecast: {below: 0, within: 7d, confidence: 0.8}
///   - alert: NodeExporterSilent
///     series: up{job="node"}
///     absent: 5m
/// ```
public enum RuleFile {
    static let fields: Set<String> = [
        "alert", "service", "series", "function", "above", "below", "hysteresis", "forecast", "absent", "for",
        "keep_firing_for", "summary", "runbook",
    ]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [AlertRule] {
        guard let items = root["rules"]?.elements else { throw root.error("missing 'rules' (a list)") }
        var rules: [AlertRule] = []
        var names: Set<String> = []
        for item in items {
            guard let members = item.members else { throw item.error("a rule must be an object") }
            for member in members where !fields.contains(member.key) {
                throw member.value.error("unknown field (expected one of \(fields.sorted().joined(separator: ", ")))")
            }
            guard let name = item["alert"]?.string, !name.isEmpty else { throw item.error("missing 'alert' name") }
            guard names.insert(name).inserted else { throw item["alert"]!.error("a second rule named '\(name)'") }
            guard let seriesNode = item["series"], let text = seriesNode.string else { throw item.error("missing 'series' selector") }
            let selector: Selector
            do { selector = try Selector(text) } catch { throw seriesNode.error(error.message) }
            rules.append(
                AlertRule(
                    name: name, service: item["service"]?.string, selector: selector, function: try function(item["function"]),
                    condition: try condition(item), pendingFor: try DurationText.milliseconds(item["for"]) ?? 0,
                    keepFiringFor: try DurationText.milliseconds(item["keep_firing_for"]) ?? 0, summary: item["summary"]?.string,
                    runbook: item["runbook"]?.string, file: item.file, line: item.line))
        }
        return rules
    }

    static func function(_ node: ConfigNode?) throws(ConfigError) -> AlertRule.Function {
        guard let node else { return .last }
        guard let text = node.string else { throw node.error("must be last, rate(5m), deriv(1h), avg(10m), max(10m) or min(10m)") }
        if text == "last" { return .last }
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")"),
            let window = DurationText.milliseconds(String(text[text.index(after: open)...].dropLast())), window > 0
        else { throw node.error("must be last, rate(5m), deriv(1h), avg(10m), max(10m) or min(10m)") }
        switch text[..<open] {
        case "rate": return .rate(window: window)
        case "deriv": return .deriv(window: window)
        case "avg": return .average(window: window)
        case "max": return .maximum(window: window)
        case "min": return .minimum(window: window)
        default: throw node.error("unknown function '\(text[..<open])'")
        }
    }

    static func condition(_ item: ConfigNode) throws(ConfigError) -> AlertRule.Condition {
        let kinds = ["above", "below", "forecast", "absent"].filter { item[$0] != nil }
        guard kinds.count == 1 else { throw item.error("a rule needs exactly one of above, below, forecast, absent") }
        switch kinds[0] {
        case "absent":
            return .absent(duration: try DurationText.milliseconds(item["absent"])!)
        case "forecast":
            let node = item["forecast"]!
            let direction: AlertRule.Direction = node["above"] != nil ? .above : .below
            guard let level = try ConfigNumber.read(node[direction.rawValue]) else { throw node.error("needs above: or below: a level") }
            guard let within = try DurationText.milliseconds(node["within"]) else { throw node.error("needs within: a duration") }
            let confidence = try ConfigNumber.read(node["confidence"]) ?? 0.8
            guard confidence > 0 && confidence < 1 else { throw node["confidence"]!.error("must be between 0 and 1") }
            return .forecast(direction, level: level, within: within, confidence: confidence)
        default:
            let direction = AlertRule.Direction(rawValue: kinds[0])!
            let node = item[kinds[0]]!
            let warning: Double?
            let critical: Double?
            if node.members != nil {
                warning = try ConfigNumber.read(node["warning"])
                critical = try ConfigNumber.read(node["critical"])
            } else {
                warning = nil
                critical = try ConfigNumber.read(node)
            }
            guard warning != nil || critical != nil else { throw node.error("needs warning: or critical: levels") }
            if let w = warning, let c = critical, direction == .above ? c < w : c > w {
                throw node.error("the critical level must be beyond the warning level")
            }
            let hysteresis = try ConfigNumber.read(item["hysteresis"]) ?? 0
            guard hysteresis >= 0 else { throw item["hysteresis"]!.error("must not be negative") }
            return .threshold(direction, warning: warning, critical: critical, hysteresis: hysteresis)
        }
    }
}
