import AlmanacOnCall
import AlmanacStorage
import Foundation

/// Acknowledging escalations (by a message's link, the page, the API or the CLI) and listing them.
public struct EscalationService: Sendable {
    let files: ReloadingFiles<OnCallFiles>
    let store: SQLEscalationStore

    let clock: WallClock

    public init(files: ReloadingFiles<OnCallFiles>, store: SQLEscalationStore, clock: WallClock) {
        self.clock = clock
        self.files = files
        self.store = store
    }

    public enum Problem: Error, CustomStringConvertible {
        case unknown
        case over
        public var description: String {
            switch self {
            case .unknown: "no such escalation (the link may be mistyped)"
            case .over: "this escalation is over: its alert resolved"
            }
        }
    }

    /// The escalation a link opens, to show before acknowledging.
    public func escalation(link: String) async throws -> Escalation? {
        guard let row = try await store.escalation(tokenHash: Secret.hash(link)) else { return nil }
        return try JSONDecoder().decode(Escalation.self, from: Data(row.data.utf8))
    }

    /// Acknowledges until the policy's acknowledgement runs out; returns the escalation as saved.
    public func acknowledge(link: String, by person: String, now: Int64? = nil) async throws -> Escalation {
        let now = now ?? clock.milliseconds()
        guard let row = try await store.escalation(tokenHash: Secret.hash(link)) else { throw Problem.unknown }
        return try await acknowledge(row, by: person, now: now)
    }

    public func acknowledge(id: String, by person: String, now: Int64? = nil) async throws -> Escalation {
        let now = now ?? clock.milliseconds()
        guard let row = try await store.escalation(id: id) else { throw Problem.unknown }
        return try await acknowledge(row, by: person, now: now)
    }

    private func acknowledge(_ row: SQLEscalationStore.Row, by person: String, now: Int64) async throws -> Escalation {
        var escalation = try JSONDecoder().decode(Escalation.self, from: Data(row.data.utf8))
        guard row.active, escalation.resolvedAt == nil else { throw Problem.over }
        let lasts = files.current.policies.first { $0.name == escalation.policy }?.acknowledgementLasts ?? 4 * 3_600_000
        escalation.acknowledgement = .init(by: person, at: now, until: now + lasts)
        try await store.save(id: row.id, data: try EscalationRunner.encode(escalation), active: true, notifications: [], at: now)
        return escalation
    }

    /// The newest escalations, running first.
    public func recent() async throws -> [(active: Bool, escalation: Escalation)] {
        try await store.recent().map { ($0.active, try JSONDecoder().decode(Escalation.self, from: Data($0.data.utf8))) }
            .sorted { ($0.active ? 1 : 0, $0.escalation.start) > ($1.active ? 1 : 0, $1.escalation.start) }
    }
}
