import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import AlmanacStorage
import Foundation

/// The alerts as people see them (what fires, who knows, which silence holds it back) and what
/// they decide: acknowledge one, silence some for a while, end a silence. Every decision lands
/// in the alert history with who and why. The API and the alerts page both call these.
public struct AlertService: Sendable {
    public let store: SQLAlertStore
    public let config: MonitoringConfig
    public static let longestSilence: Int64 = 365 * 86_400_000

    let clock: WallClock

    public init(store: SQLAlertStore, config: MonitoringConfig, clock: WallClock) {
        self.clock = clock
        self.store = store
        self.config = config
    }

    /// A decision that cannot be taken: a field that is wrong, or no such alert.
    public enum Problem: Error, Sendable, CustomStringConvertible {
        case invalid(field: String, message: String)
        case noSuchAlert(String)

        public var description: String {
            switch self {
            case .invalid(let field, let message): return "\(field): \(message)"
            case .noSuchAlert(let message): return message
            }
        }
    }

    /// How long a silence lasts: a duration from now (`2h`) or an end time.
    public enum SilenceEnd: Sendable {
        case after(String)
        case at(Int64)
    }

    /// An alert with who acknowledged it and the silence that holds it back.
    public struct AlertView: Sendable {
        public var alert: Alert
        public var acknowledgedBy: String?
        public var silencedBy: Int64?
    }

    /// What the alerts page shows.
    public struct Overview: Sendable {
        /// Most severe first.
        public var alerts: [AlertView]
        public var silences: [Silence]
        public var history: [AlertEvent]
    }

    /// Alert events, newest first: one rule's, or every rule's.
    public func history(rule: String?, limit: Int) async throws -> [AlertEvent] { try await store.history(rule: rule, limit: limit) }

    public func overview(now: Int64? = nil) async throws -> Overview {
        let now = now ?? clock.milliseconds()
        let silences = try await store.silences(endingAfter: now)
        let acknowledged = try await store.acknowledgements()
        let rules = Dictionary(config.current.rules.map { ($0.name, $0) }) { a, _ in a }
        let alerts = try await store.state().tracker.alerts.values.sorted { ($0.severity, $0.rule) > ($1.severity, $1.rule) }.map { alert in
            AlertView(
                alert: alert, acknowledgedBy: acknowledged[AlertTracker.key(alert.rule, alert.labels)],
                silencedBy: Silence.silencing(alert, among: silences, rules: rules, at: now)?.id)
        }
        return Overview(alerts: alerts, silences: silences, history: try await store.history(limit: 200))
    }

    /// Silences that ended after `since`, or have not ended.
    public func silences(endingAfter since: Int64) async throws -> [Silence] {
        try await store.silences(endingAfter: since)
    }

    /// Acknowledges the active alert of `rule` with `labels`.
    public func acknowledge(rule: String, labels: [Label], comment: String, actor: String, now: Int64? = nil) async throws {
        let now = now ?? clock.milliseconds()
        guard comment.count <= 2000 else { throw Problem.invalid(field: "comment", message: "at most 2000 characters") }
        let state = try await store.state()
        guard let alert = state.tracker.alerts[AlertTracker.key(rule, labels.sorted())], alert.state != .resolved else {
            throw Problem.noSuchAlert("no active alert of \(rule) with these labels")
        }
        try await store.acknowledge(alert, by: actor, comment: comment, at: now)
    }

    /// Stores a silence of the alerts `matchers` pick until `end`, as `actor` says, with why.
    public func silence(
        matchers: String, until end: SilenceEnd?, comment: String, actor: String, now: Int64? = nil
    ) async throws -> Silence {
        let now = now ?? clock.milliseconds()
        let silence = try Self.silence(matchers: matchers, until: end, comment: comment, actor: actor, now: now)
        var stored = silence
        stored.id = try await store.addSilence(silence, at: now)
        return stored
    }

    /// Ends a silence now; false when there is no such active silence.
    public func expire(silence id: Int64, actor: String, now: Int64? = nil) async throws -> Bool {
        let now = now ?? clock.milliseconds()
        return try await store.expireSilence(id: id, by: actor, at: now)
    }

    /// A valid silence, or the field that is wrong.
    static func silence(matchers: String, until end: SilenceEnd?, comment: String, actor: String, now: Int64) throws(Problem) -> Silence {
        guard !matchers.isEmpty, matchers.count <= 1000 else {
            throw .invalid(field: "matchers", message: "required: label matchers such as {alertname=\"DiskAlmostFull\", server=\"off2\"}")
        }
        do throws(SelectorError) {
            _ = try Silence.validate(matchers: matchers)
        } catch {
            throw .invalid(field: "matchers", message: error.message)
        }
        guard !comment.isEmpty, comment.count <= 2000 else { throw .invalid(field: "comment", message: "required: why (at most 2000 characters)") }
        let endsAt: Int64
        switch end {
        case .after(let text)?:
            guard let ms = DurationText.milliseconds(text), ms > 0 else {
                throw .invalid(field: "duration", message: "must be a duration such as 30m, 2h or 3d")
            }
            endsAt = now + ms
        case .at(let at)?:
            endsAt = at
        case nil:
            throw .invalid(field: "duration", message: "required: duration (such as 2h) or endsAt (ms since 1970)")
        }
        guard endsAt > now, endsAt - now <= longestSilence else {
            throw .invalid(field: "duration", message: "must end in the future, within a year")
        }
        return Silence(id: 0, matchers: matchers, startsAt: now, endsAt: endsAt, createdBy: actor, comment: comment)
    }

}
