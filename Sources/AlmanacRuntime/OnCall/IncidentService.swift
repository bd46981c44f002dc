import AlmanacAlerts
import AlmanacOnCall
import AlmanacSLO
import AlmanacStorage
import Foundation

/// Incidents: opened by a firing critical alert (one incident while one is open: later alerts
/// join it) or by a person (always a new one), given notes, resolved with a summary; the timeline is read from
/// what the other domains recorded meanwhile.
public struct IncidentService: Sendable {
    let store: SQLIncidentStore
    let alerts: SQLAlertStore
    let escalations: SQLEscalationStore
    let checks: TimelineStore

    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.clock = clock
        store = SQLIncidentStore(database: database)
        alerts = SQLAlertStore(database: database)
        escalations = SQLEscalationStore(database: database)
        checks = TimelineStore(database: database)
    }

    public enum Problem: Error, CustomStringConvertible {
        case unknown(String)
        case empty(String)
        public var description: String {
            switch self {
            case .unknown(let id): "no incident \(id)"
            case .empty(let field): "\(field): must not be empty"
            }
        }
    }

    /// A critical alert fired: it opens an incident, or joins the open one. Once only per firing.
    func alertFired(key: String, firedAt: Int64, title: String, service: String?, now: Int64) async throws {
        let trigger = "\(key)@\(firedAt)"
        if try await store.recent(limit: 20).contains(where: { (try decode($0.data)).triggers.contains(trigger) }) { return }
        var incident = Incident(id: UUID().uuidString, title: title, service: service, openedAt: now, openedBy: "alert \(title)")
        incident.triggers = [trigger]
        let opened = try await store.open(id: incident.id, data: try encode(incident), at: now)
        if !opened.created {
            _ = try await store.update(id: opened.id) { data in
                var open = try decode(data)
                open.triggers.append(trigger)
                return (try encode(open), true)
            }
        }
    }

    public func open(title: String, service: String?, by person: String, now: Int64? = nil) async throws -> Incident {
        let now = now ?? clock.milliseconds()
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.empty("title") }
        let incident = Incident(id: UUID().uuidString, title: title, service: service, openedAt: now, openedBy: person)
        try await store.create(id: incident.id, data: try encode(incident), at: now)
        return incident
    }

    public func note(id: String, text: String, by person: String, now: Int64? = nil) async throws -> Incident {
        let now = now ?? clock.milliseconds()
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.empty("text") }
        return try await change(id) { incident in
            incident.events.append(.init(at: now, kind: .note, text: text, by: person))
            return incident.resolvedAt == nil
        }
    }

    public func resolve(id: String, summary: String, by person: String, now: Int64? = nil) async throws -> Incident {
        let now = now ?? clock.milliseconds()
        guard !summary.trimmingCharacters(in: .whitespaces).isEmpty else { throw Problem.empty("summary") }
        return try await change(id) { incident in
            incident.resolvedAt = incident.resolvedAt ?? now
            incident.summary = summary
            incident.events.append(.init(at: now, kind: .note, text: "resolved: \(summary)", by: person))
            return false
        }
    }

    public func incident(id: String) async throws -> (incident: Incident, open: Bool)? {
        guard let row = try await store.incident(id: id) else { return nil }
        return (try decode(row.data), row.open)
    }

    public func recent() async throws -> [(incident: Incident, open: Bool)] {
        try await store.recent().map { (try decode($0.data), $0.open) }
    }

    private func change(_ id: String, _ body: @escaping @Sendable (inout Incident) -> Bool) async throws -> Incident {
        guard
            let data = try await store.update(
                id: id,
                { data in
                    var incident = try decode(data)
                    let open = body(&incident)
                    return (try encode(incident), open)
                })
        else { throw Problem.unknown(id) }
        return try decode(data)
    }

    func encode(_ incident: Incident) throws -> String { String(decoding: try JSONEncoder().encode(incident), as: UTF8.self) }
    func decode(_ data: String) throws -> Incident { try JSONDecoder().decode(Incident.self, from: Data(data.utf8)) }
}

extension IncidentService {
    /// Incidents of the last 90 days as the status page shows them (services and summaries only).
    public func statusNotes(now: Int64? = nil) async throws -> [StatusPage.IncidentNote] {
        let now = now ?? clock.milliseconds()
        return try await recent().compactMap { item in
            guard let service = item.incident.service, item.incident.openedAt >= now - 90 * 86_400_000 else { return nil }
            return StatusPage.IncidentNote(
                service: service, openedAt: item.incident.openedAt, resolvedAt: item.incident.resolvedAt, summary: item.incident.summary)
        }
    }
}
