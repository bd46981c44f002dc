import AlmanacOnCall
import AlmanacStorage
import Foundation

/// An incident's timeline, gathered when shown: from an hour before it opened (the change that
/// caused it is often there) to its resolution, the alert history (firing, resolving,
/// acknowledgements, silences), the escalation steps and acknowledgements, the production
/// changes the other domains report, check recoveries, and the notes.
extension IncidentService {
    /// A production change another domain recorded (a rollout, a rollback, a flag change).
    public struct Change: Sendable {
        public var at: Int64
        public var kind: Incident.Event.Kind
        public var text: String

        public init(at: Int64, kind: Incident.Event.Kind, text: String) {
            self.at = at
            self.kind = kind
            self.text = text
        }
    }

    public func timeline(
        _ incident: Incident, now: Int64? = nil, changes: (Int64, Int64) async throws -> [Change]
    ) async throws -> [Incident.Event] {
        let now = now ?? clock.milliseconds()
        let from = incident.openedAt - 3_600_000
        let to = incident.resolvedAt ?? now
        var events = incident.events
        for event in try await alerts.history(from: from, to: to, limit: 1000) {
            let kind: Incident.Event.Kind = event.event.hasPrefix("acknowledged") ? .acknowledgement : .alert
            let labels = event.labels.isEmpty ? "" : " {\(event.labels)}"
            events.append(.init(at: event.at, kind: kind, text: "\(event.rule) \(event.event) (\(event.severity))\(labels)"))
        }
        for row in try await escalations.recent(limit: 200) {
            let escalation = try JSONDecoder().decode(Escalation.self, from: Data(row.data.utf8))
            for sent in escalation.sent where sent.at >= from && sent.at <= to {
                let people = sent.people.isEmpty ? "nobody on call" : sent.people.joined(separator: ", ")
                events.append(.init(at: sent.at, kind: .escalation, text: "\(escalation.policy): step \(sent.step + 1) to \(sent.target): \(people)"))
            }
            if let ack = escalation.acknowledgement, ack.at >= from, ack.at <= to {
                events.append(.init(at: ack.at, kind: .acknowledgement, text: "escalation of \(escalation.title) acknowledged", by: ack.by))
            }
        }
        for change in try await changes(from, to) { events.append(.init(at: change.at, kind: change.kind, text: change.text)) }
        for check in try await checks.events(from: from, to: to, limit: 500) where check.event == "recovery" || check.event == "hard" {
            events.append(.init(at: check.at, kind: .check, text: "\(check.check) \(check.event) \(check.status): \(check.message)"))
        }
        var timed = incident
        timed.events = events
        return timed.timeline
    }

    /// Each alert's firing spans within the incident's time, from the history: the impact.
    public func firing(_ incident: Incident, now: Int64? = nil) async throws -> [(alert: String, from: Int64, to: Int64?)] {
        let now = now ?? clock.milliseconds()
        let history = try await alerts.history(from: incident.openedAt - 3_600_000, to: incident.resolvedAt ?? now, limit: 1000)
            .sorted { $0.at < $1.at }
        var open: [String: (alert: String, from: Int64)] = [:]
        var out: [(alert: String, from: Int64, to: Int64?)] = []
        for event in history {
            let key = event.rule + "{" + event.labels + "}"
            if event.event == "fired" { open[key] = (event.rule + (event.labels.isEmpty ? "" : " {\(event.labels)}"), event.at) }
            if event.event == "resolved", let started = open.removeValue(forKey: key) { out.append((started.alert, started.from, event.at)) }
        }
        return (out + open.values.map { ($0.alert, $0.from, nil) }).sorted { $0.from < $1.from }
    }
}
