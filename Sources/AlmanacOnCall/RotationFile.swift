import AlmanacConfig
import Foundation

/// Reads the rotations of `oncall/*.yaml`:
///
/// ```yaml
/// rotations:
///   - name: infrastructure
///     team: infrastructure                 # a catalogue Group: broadcast and load per person
///     zone: Europe/Paris                   # hand-offs and restrictions are local times here
///     layers:
///       - name: primary
///         people: [alex, christian, stephane]   # or group: infrastructure
///         start: "2026-11-02T09:00"        # a Monday 09:00 local: alex's first week
///         handoff: 1w                      # 1d, 1w, 2w, or hours (12h)
///         restrict: {days: weekdays, hours: "09:00-18:00"}
///       - {name: volunteers, group: contributors, start: "2026-11-02T09:00", handoff: 1d, best_effort: true}
///     overrides:
///       - {person: christian, layer: primary, start: "2026-12-24T00:00", end: "2026-12-27T00:00", reason: swap with alex}
/// ```
public enum RotationFile {
    public static let folder = "oncall"

    /// `people(group)` lists a catalogue Group's members (nil: no such group); `knows(person)`
    /// says whether the catalogue has the User. Both nil without a catalogue.
    public static func parse(
        _ root: ConfigNode, people: ((String) -> [String]?)?, knows: ((String) -> Bool)?
    ) throws(ConfigError) -> [Rotation] {
        guard let items = root["rotations"]?.elements else { return [] }
        var rotations: [Rotation] = []
        for item in items {
            try item.onlyFields(["name", "team", "zone", "layers", "overrides"])
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("needs 'name'") }
            guard let team = item["team"]?.string else { throw item.error("needs 'team', a catalogue Group") }
            if let people, people(team) == nil { throw (item["team"] ?? item).error("'\(team)' is not a Group of the catalogue") }
            let zone = try self.zone(item["zone"])
            guard let layerNodes = item["layers"]?.elements, !layerNodes.isEmpty else { throw item.error("needs 'layers', a list of at least one") }
            var layers: [Rotation.Layer] = []
            for node in layerNodes { layers.append(try layer(node, zone: zone, people: people, knows: knows)) }
            var overrides: [Rotation.Override] = []
            for node in item["overrides"]?.elements ?? [] {
                let override = try self.override(node, zone: zone, layers: layers.map(\.name), knows: knows)
                if let other = overrides.first(where: { $0.layer == override.layer && $0.start < override.end && override.start < $0.end }) {
                    throw node.error("overlaps the override of \(other.person) at line \(other.line) on layer \(override.layer)")
                }
                overrides.append(override)
            }
            rotations.append(Rotation(name: name, team: team, zone: zone, layers: layers, overrides: overrides, file: item.file, line: item.line))
        }
        return rotations
    }

    static func zone(_ node: ConfigNode?) throws(ConfigError) -> TimeZone {
        guard let node else { return TimeZone(identifier: "UTC")! }
        guard let text = node.string, let zone = TimeZone(identifier: text) else {
            throw node.error("'\(node.string ?? "")' is not a time zone (an IANA name such as Europe/Paris)")
        }
        return zone
    }

    static func layer(
        _ node: ConfigNode, zone: TimeZone, people: ((String) -> [String]?)?, knows: ((String) -> Bool)?
    ) throws(ConfigError) -> Rotation.Layer {
        try node.onlyFields(["name", "people", "group", "start", "handoff", "restrict", "best_effort"])
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("needs 'name'") }
        var members: [String] = []
        if let list = node["people"]?.elements {
            for person in list {
                guard let text = person.string, !text.isEmpty else { throw person.error("must be a person's name") }
                if let knows, !knows(text) { throw person.error("'\(text)' is not a User of the catalogue") }
                members.append(text)
            }
        } else if let group = node["group"] {
            guard let text = group.string else { throw group.error("must name a catalogue Group") }
            guard let people else { throw group.error("needs the catalogue to list the members of '\(text)'") }
            guard let listed = people(text) else { throw group.error("'\(text)' is not a Group of the catalogue") }
            members = listed.sorted()
        }
        if members.isEmpty { throw node.error("needs 'people' (a list) or 'group' with at least one member") }
        let handoff = try self.handoff(node["handoff"])
        let start = try moment(node["start"], zone: zone) ?? 0
        return Rotation.Layer(
            name: name, people: members, start: start, handoff: handoff, restriction: try restriction(node["restrict"]),
            bestEffort: try ConfigFlag.read(node["best_effort"]) ?? false, line: node.line)
    }

    static func handoff(_ node: ConfigNode?) throws(ConfigError) -> Rotation.Layer.Length {
        guard let node else { return .days(7) }
        let text = node.string ?? ""
        if text.hasSuffix("w"), let weeks = Int(text.dropLast()), weeks > 0 { return .days(weeks * 7) }
        if text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0 { return .days(days) }
        guard let ms = DurationText.milliseconds(text), ms >= 3_600_000 else {
            throw node.error("must be a hand-off period such as 1w, 1d or 12h")
        }
        return .milliseconds(ms)
    }

    static func restriction(_ node: ConfigNode?) throws(ConfigError) -> Weekly? {
        guard let node else { return nil }
        try node.onlyFields(["days", "hours"])
        var days = Weekly.allDays
        if let dayNode = node["days"] {
            days = try self.days(dayNode)
        }
        var (from, to) = (0, 24 * 60)
        if let hoursNode = node["hours"] {
            let parts = (hoursNode.string ?? "").split(separator: "-").map { minutes(String($0)) }
            guard parts.count == 2, let start = parts[0], let end = parts[1], start != end else {
                throw hoursNode.error("must be local hours such as \"09:00-18:00\" (or \"22:00-07:00\" past midnight)")
            }
            (from, to) = (start, end)
        }
        return Weekly(days: days, from: from, to: to)
    }

    static let dayNames = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    static func days(_ node: ConfigNode) throws(ConfigError) -> Set<Int> {
        if let word = node.string {
            switch word {
            case "weekdays": return Availability.weekdays
            case "weekends": return Availability.weekends
            default: throw node.error("must be weekdays, weekends or a list such as [mon, tue]")
            }
        }
        var out: Set<Int> = []
        for element in node.elements ?? [] {
            guard let day = dayNames[String((element.string ?? "").lowercased().prefix(3))] else {
                throw element.error("'\(element.string ?? "")' is not a day (mon, tue, wed, thu, fri, sat, sun)")
            }
            out.insert(day)
        }
        if out.isEmpty { throw node.error("must be weekdays, weekends or a list such as [mon, tue]") }
        return out
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else {
            return nil
        }
        return h * 60 + m
    }

    /// `2026-11-02T09:00` in the rotation's zone, or a time with its own offset.
    static func moment(_ node: ConfigNode?, zone: TimeZone) throws(ConfigError) -> Int64? {
        guard let node else { return nil }
        let text = node.string ?? ""
        if let date = ISO8601DateFormatter().date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        throw node.error("must be a local time such as \"2026-11-02T09:00\" (in the rotation's zone) or one with an offset")
    }

    static func override(_ node: ConfigNode, zone: TimeZone, layers: [String], knows: ((String) -> Bool)?) throws(ConfigError) -> Rotation.Override {
        try node.onlyFields(["person", "layer", "start", "end", "reason"])
        guard let personNode = node["person"], let person = personNode.string, !person.isEmpty else { throw node.error("needs 'person'") }
        if let knows, !knows(person) { throw personNode.error("'\(person)' is not a User of the catalogue") }
        let layer = node["layer"]?.string ?? layers[0]
        if !layers.contains(layer) {
            throw (node["layer"] ?? node).error("'\(layer)' is not a layer of this rotation (\(layers.joined(separator: ", ")))")
        }
        guard let start = try moment(node["start"], zone: zone) else { throw node.error("needs 'start'") }
        guard let end = try moment(node["end"], zone: zone) else { throw node.error("needs 'end'") }
        guard end > start else { throw (node["end"] ?? node).error("must be after 'start'") }
        return Rotation.Override(person: person, layer: layer, start: start, end: end, reason: node["reason"]?.string ?? "", line: node.line)
    }
}
