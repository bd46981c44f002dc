import AlmanacReporting

/// The monthly infrastructure meeting, prepared: what needs a decision, by section, each item
/// with a stable key so the issue filed for it last month is updated instead of doubled.
public struct MeetingItem: Sendable, Codable, Equatable {
    public enum Section: String, Sendable, Codable, CaseIterable {
        case crossings = "Forecast crossings in the coming months"
        case near = "Thresholds nearly reached"
        case pace = "New and worsening trends"
        case incidents = "Incidents"
        case skills = "Skills gaps on critical services"
        case flags = "Stale flags"
        case checks = "Checks that failed"
        case drills = "Failed restore drills"
    }

    public var key: String
    public var section: Section
    public var title: String
    public var detail: String

    public init(key: String, section: Section, title: String, detail: String) {
        self.key = key
        self.section = section
        self.title = title
        self.detail = detail
    }

    /// The issue's body: the detail, the month, and the key hidden in a comment that finds it next month.
    public func issueBody(month: String) -> String {
        "\(detail)\n\nPrepared for the infrastructure meeting of \(month) by Almanac.\n\n<!-- almanac:\(key) -->\n"
    }

    public static func marker(_ key: String) -> String { "<!-- almanac:\(key) -->" }
}

public struct MeetingAgenda: Sendable {
    public var month: String
    public var items: [MeetingItem]

    public init(month: String, items: [MeetingItem]) {
        self.month = month
        self.items = items
    }

    public func markdown() -> String {
        var out = "# Infrastructure meeting, \(month)\n\n"
        for section in MeetingItem.Section.allCases {
            let listed = items.filter { $0.section == section }
            out += "## \(section.rawValue)\n\n"
            out += listed.isEmpty ? "Nothing this month.\n\n" : listed.map { "- **\($0.title)**: \($0.detail)\n" }.joined() + "\n"
        }
        return out
    }
}
