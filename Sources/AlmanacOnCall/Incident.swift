import AlmanacReporting

/// An incident: opened by a firing critical alert or a person, its timeline gathered from what
/// happened meanwhile (alerts, acknowledgements, escalation steps, rollouts and rollbacks, flag
/// changes, check recoveries, notes), resolved with a summary.
public struct Incident: Sendable, Codable, Equatable {
    public struct Event: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable {
            case alert, acknowledgement, escalation, rollout, rollback, flag, check, note
        }

        public var at: Int64
        public var kind: Kind
        public var text: String
        public var by: String?

        public init(at: Int64, kind: Kind, text: String, by: String? = nil) {
            self.at = at
            self.kind = kind
            self.text = text
            self.by = by
        }
    }

    public var id: String
    public var title: String
    public var service: String?
    public var openedAt: Int64
    public var openedBy: String
    public var resolvedAt: Int64?
    public var summary: String?
    /// Notes people added; the rest of the timeline is read from the history when shown.
    public var events: [Event]
    /// The alerts that opened it or joined it, as `key@fired-at`, so one firing opens one incident.
    public var triggers: [String] = []

    public init(id: String, title: String, service: String?, openedAt: Int64, openedBy: String, events: [Event] = []) {
        self.id = id
        self.title = title
        self.service = service
        self.openedAt = openedAt
        self.openedBy = openedBy
        self.events = events
    }

    /// The timeline in time order; events at the same moment keep the order they were recorded in.
    public var timeline: [Event] { events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element) }

    /// A postmortem draft to commit to the docs: what happened in order, the impact from the
    /// alerts' durations, and headings for what helped and the follow-ups, for people to fill.
    public func postmortem(firing: [(alert: String, from: Int64, to: Int64?)]) -> String {
        let end = resolvedAt ?? timeline.last?.at ?? openedAt
        var out = "---\ntitle: \"Postmortem: \(title.replacingOccurrences(of: "\"", with: "'"))\"\n"
        if let service { out += "service: \(service)\n" }
        out += "date: \(ReportFormat.date(openedAt))\n---\n\n# Postmortem: \(title)\n\n"
        out += "Opened \(ReportFormat.moment(openedAt, seconds: false)) by \(openedBy)"
        out += resolvedAt.map { "; resolved \(ReportFormat.moment($0, seconds: false)) (\(Self.span(end - openedAt)))." } ?? "; not resolved yet."
        out += "\n\n## Summary\n\n\(summary ?? "_What happened, in two sentences._")\n\n## Impact\n\n"
        if firing.isEmpty {
            out += "_No alert fired; describe who was affected and how._\n"
        } else {
            for alert in firing {
                let until = alert.to ?? end
                out += "- \(alert.alert): firing \(Self.span(until - alert.from)), "
                out += "from \(ReportFormat.moment(alert.from, seconds: false)) to \(ReportFormat.moment(until, seconds: false))\n"
            }
        }
        out += "\n## Timeline\n\n| Time (UTC) | What | Who |\n|---|---|---|\n"
        for event in timeline {
            let text = event.text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            out += "| \(ReportFormat.moment(event.at)) | \(event.kind.rawValue): \(text) | \(event.by ?? "") |\n"
        }
        out += "\n## What helped\n\n- _…_\n\n## What did not\n\n- _…_\n\n## Follow-ups\n\n- [ ] _…_\n"
        return out
    }

    static func span(_ ms: Int64) -> String {
        if ms < 60_000 { return "\(max(0, ms) / 1000) s" }
        let minutes = ms / 60_000
        return minutes < 60 ? "\(minutes) min" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
