import AlmanacAlerts
import AlmanacConfig
import Foundation

/// Reads `maintenance/*.yaml`:
///
/// ```yaml
/// windows:
///   - name: sunday-backups
///     match: '{service="database"}'          # over alert labels, alertname and service
///     rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3    # in `zone`, for `duration`
///     zone: Europe/Paris
///     duration: 2h
///   - name: disk-move
///     match: '{server="off2"}'
///     start: 2026-12-01T22:00:00Z
///     end: 2026-12-02T02:00:00Z
///     exclude_from_budget: false              # default true
///     note: The product database moves to a new disk; edits may fail for a few minutes.
/// ```
public enum MaintenanceFile {
    public static let folder = "maintenance"

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [MaintenanceWindow] {
        try root.onlyFields(["windows"])
        guard let items = root["windows"]?.elements else { throw root.error("needs 'windows', a list") }
        var windows: [MaintenanceWindow] = []
        for item in items {
            try item.onlyFields(["name", "match", "rrule", "zone", "duration", "start", "end", "exclude_from_budget", "note"])
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("needs 'name'") }
            guard let matchNode = item["match"], let matchers = matchNode.string else {
                throw item.error("needs 'match', a selector over alert labels such as {service=\"database\"}")
            }
            do { _ = try Silence.validate(matchers: matchers) } catch { throw matchNode.error(error.message) }
            let schedule: MaintenanceWindow.Schedule
            if let ruleNode = item["rrule"] {
                guard let text = ruleNode.string else { throw ruleNode.error("must be an RRULE such as FREQ=WEEKLY;BYDAY=SU;BYHOUR=3") }
                let rule: Recurrence
                do { rule = try Recurrence.parse(text) } catch { throw ruleNode.error("does not parse: \(error.message)") }
                let zoneName = item["zone"]?.string ?? "UTC"
                guard let zone = TimeZone(identifier: zoneName) else { throw (item["zone"] ?? item).error("'\(zoneName)' is not a time zone") }
                guard let duration = try DurationText.milliseconds(item["duration"]) else { throw item.error("needs 'duration' with 'rrule'") }
                schedule = .recurring(rule, zone: zone, duration: duration)
            } else {
                let start = try moment(item["start"], in: item, "start")
                let end = try moment(item["end"], in: item, "end")
                guard end > start else { throw (item["end"] ?? item).error("must be after 'start'") }
                schedule = .once(start: start, end: end)
            }
            let excludes = try ConfigFlag.read(item["exclude_from_budget"]) ?? true
            if let noteNode = item["note"], noteNode.string == nil { throw noteNode.error("must be text") }
            windows.append(
                MaintenanceWindow(
                    name: name, matchers: matchers, schedule: schedule, excludesFromBudget: excludes, note: item["note"]?.string,
                    file: item.file, line: item.line))
        }
        return windows
    }

    static func moment(_ node: ConfigNode?, in parent: ConfigNode, _ field: String) throws(ConfigError) -> Int64 {
        guard let node else { throw parent.error("needs 'rrule' or 'start' and 'end'") }
        guard let text = node.string, let date = ISO8601DateFormatter().date(from: text) else {
            throw node.error("must be a time such as 2026-12-01T22:00:00Z")
        }
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
