import AlmanacAlerts
import AlmanacCatalog
import AlmanacConfig
import Foundation

/// Reads `slos/*.yaml`: a list of SLOs, each tied to a catalogue service, with located errors.
///
/// ```yaml
/// slos:
///   - name: api-availability
///     service: product-opener
///     sli:
///       ratio: {good: 'http_requests_total{job="api", code!~"5.."}', total: 'http_requests_total{job="api"}'}
///     objective: 99.9%          # default from the service's tier
///     window: 30d
/// ```
public enum SLOFile {
    public static let folder = "slos"

    /// `services` maps each catalogue service's name to its tier; nil skips the check (no catalogue).
    public static func parse(_ root: ConfigNode, services: [String: Tier?]?) throws(ConfigError) -> [SLO] {
        try root.onlyFields(["slos"])
        guard let items = root["slos"]?.elements else { throw root.error("needs 'slos', a list") }
        var slos: [SLO] = []
        for item in items {
            try item.onlyFields(["name", "service", "sli", "objective", "window", "public", "exclude_maintenance"])
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("needs 'name'") }
            if slos.contains(where: { $0.name == name }) { throw (item["name"] ?? item).error("a second SLO named '\(name)'") }
            guard let serviceNode = item["service"], let service = serviceNode.string else {
                throw item.error("needs 'service' (a catalogue service)")
            }
            var tier: Tier?
            if let services {
                guard let known = services[service] else { throw serviceNode.error("'\(service)' is not a service of the catalogue") }
                tier = known
            }
            guard let sliNode = item["sli"] else { throw item.error("needs 'sli' (ratio, latency or check)") }
            let objective = try self.objective(item["objective"]) ?? SLO.defaultObjective(for: tier)
            let window = try DurationText.milliseconds(item["window"]) ?? 30 * 86_400_000
            guard (86_400_000...90 * 86_400_000).contains(window) else { throw (item["window"] ?? item).error("must be from 1d to 90d") }
            slos.append(
                SLO(
                    name: name, service: service, indicator: try indicator(sliNode), objective: objective, window: window,
                    isPublic: try ConfigFlag.read(item["public"]) ?? (tier == .criticalForOthers),
                    excludesMaintenance: try ConfigFlag.read(item["exclude_maintenance"]) ?? true, file: item.file, line: item.line))
        }
        return slos
    }

    static func indicator(_ node: ConfigNode) throws(ConfigError) -> SLO.Indicator {
        try node.onlyFields(["ratio", "latency", "check"])
        if let ratio = node["ratio"] {
            try ratio.onlyFields(["good", "total"])
            return .ratio(good: try selector(ratio["good"], in: ratio, "good"), total: try selector(ratio["total"], in: ratio, "total"))
        }
        if let latency = node["latency"] {
            try latency.onlyFields(["buckets", "threshold"])
            guard let threshold = try ConfigNumber.read(latency["threshold"]), threshold > 0 else {
                throw (latency["threshold"] ?? latency).error("needs 'threshold', the bucket's upper bound in seconds (le)")
            }
            return .latency(buckets: try selector(latency["buckets"], in: latency, "buckets"), threshold: threshold)
        }
        if let check = node["check"] {
            guard let name = check.string, !name.isEmpty else { throw check.error("must name a check of checks/") }
            return .check(name: name)
        }
        throw node.error("needs one of ratio, latency or check")
    }

    static func selector(_ node: ConfigNode?, in parent: ConfigNode, _ field: String) throws(ConfigError) -> Selector {
        guard let node, let text = node.string else { throw parent.error("needs '\(field)', a series selector") }
        do { return try Selector(text) } catch { throw node.error(error.message) }
    }

    /// `99.9%`, `99.9` or `0.999`: always below 100%, above 0.
    static func objective(_ node: ConfigNode?) throws(ConfigError) -> Double? {
        guard let node else { return nil }
        var value: Double?
        if let text = node.string, text.hasSuffix("%") {
            value = Double(text.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
        } else if let number = try? ConfigNumber.read(node) {
            value = number > 1 ? number / 100 : number
        }
        guard let value, value > 0, value < 1 else { throw node.error("must be a share below 100%, such as 99.9%") }
        return value
    }
}
