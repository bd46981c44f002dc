import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics

/// Series followed for their long-run trend although no rule watches them (image weight on
/// disk, products in the database), from `monitoring/trends.yaml`:
///
/// ```yaml
/// trends:
///   - series: images_bytes_total
///     service: images
///     above: 8e12        # optional: the level whose crossing is projected
/// ```
public struct TrendSelection: Sendable {
    public var selector: Selector
    public var service: String?
    public var threshold: Double?
    public var direction: TrendSubject.Direction

    static let fields: Set<String> = ["series", "service", "above", "below"]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [TrendSelection] {
        guard let items = root["trends"]?.elements else { throw root.error("missing 'trends' (a list)") }
        var out: [TrendSelection] = []
        for item in items {
            guard let members = item.members else { throw item.error("a trend must be an object") }
            for member in members where !fields.contains(member.key) {
                throw member.value.error("unknown field (expected one of \(fields.sorted().joined(separator: ", ")))")
            }
            guard let node = item["series"], let text = node.string else { throw item.error("missing 'series' selector") }
            let selector: Selector
            do { selector = try Selector(text) } catch { throw node.error(error.message) }
            if item["above"] != nil && item["below"] != nil { throw item.error("give above or below, not both") }
            let direction: TrendSubject.Direction = item["below"] != nil ? .below : .above
            out.append(
                TrendSelection(
                    selector: selector, service: item["service"]?.string, threshold: try ConfigNumber.read(item[direction.rawValue]),
                    direction: direction))
        }
        return out
    }

    /// What the rules watch: each rule on a raw value (`last`) with a level gives its series and
    /// that level (the critical one where there are two).
    public static func from(rules: [AlertRule]) -> [TrendSelection] {
        rules.compactMap { rule in
            guard rule.function == .last else { return nil }
            switch rule.condition {
            case .threshold(let direction, let warning, let critical, _):
                return TrendSelection(selector: rule.selector, service: rule.service, threshold: critical ?? warning, direction: .init(direction))
            case .forecast(let direction, let level, _, _):
                return TrendSelection(selector: rule.selector, service: rule.service, threshold: level, direction: .init(direction))
            case .absent:
                return nil
            }
        }
    }

    /// The subject for one stored series: the service comes from the selection, else the
    /// series' `service` or `job` label.
    public func subject(name: String, labels: [Label], source: String? = nil) -> TrendSubject {
        let service = self.service ?? labels.first { $0.name == "service" }?.value ?? labels.first { $0.name == "job" }?.value ?? ""
        return TrendSubject(service: service, name: name, labels: labels, threshold: threshold, direction: direction, source: source)
    }
}

extension TrendSubject.Direction {
    init(_ direction: AlertRule.Direction) {
        self = direction == .above ? .above : .below
    }
}
