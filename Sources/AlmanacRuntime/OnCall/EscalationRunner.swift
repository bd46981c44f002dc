import AlmanacAlerts
import AlmanacMetrics
import AlmanacOnCall
import AlmanacStorage
import Foundation
import Logging

/// Escalates firing alerts to the people on call, once a second under its lease: an alert that
/// a policy matches starts an escalation; each due step is recorded and its messages queued in
/// one transaction (the notification outbox delivers them, with retries), so a restart continues
/// where the last step left off; an alert that resolves ends its escalation.
public struct EscalationRunner: Sendable {
    let files: ReloadingFiles<OnCallFiles>
    let alerts: SQLAlertStore
    let store: SQLEscalationStore
    let monitoring: MonitoringConfig
    let externalURL: String
    /// Where critical alerts open incidents.
    let incidents: IncidentService?
    let logger: Logger

    public init(
        files: ReloadingFiles<OnCallFiles>, alerts: SQLAlertStore, store: SQLEscalationStore, monitoring: MonitoringConfig, externalURL: String,
        incidents: IncidentService? = nil, logger: Logger
    ) {
        self.incidents = incidents
        self.files = files
        self.alerts = alerts
        self.store = store
        self.monitoring = monitoring
        self.externalURL = externalURL
        self.logger = logger
    }

    /// One round of `PeriodicJob`: starts, steps and ends escalations as of `now`.
    public func round(now: Int64) async throws {
        let oncall = files.current
        let rules = Dictionary(monitoring.current.rules.map { ($0.name, $0) }) { first, _ in first }
        let firing = try await alerts.state().tracker.alerts.values.filter { $0.state == .firing }
        let firingKeys = Set(firing.map { AlertTracker.key($0.rule, $0.labels) })
        var active = try await store.active()
        // Only an alert without a running escalation may open one: no write each round for those that have.
        let escalating = Set(active.map(\.alertKey))
        var opened = false
        for alert in firing.sorted(by: { ($0.firedAt ?? 0) < ($1.firedAt ?? 0) }) {
            let key = AlertTracker.key(alert.rule, alert.labels)
            let labels = Silence.labels(alert, service: rules[alert.rule]?.service) + [Label("severity", alert.severity.rawValue)]
            let title = "\(alert.rule) (\(alert.severity.rawValue)) " + alert.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            if alert.severity == .critical, let incidents {
                try await incidents.alertFired(
                    key: key, firedAt: alert.firedAt ?? now, title: title,
                    service: labels.first { $0.name == "service" }?.value, now: now)
            }
            guard !escalating.contains(key), let policy = oncall.policies.first(where: { Self.matches($0, name: alert.rule, labels: labels) })
            else { continue }
            var escalation = Escalation(id: UUID().uuidString, alertKey: key, policy: policy.name, start: now)
            escalation.title = title
            escalation.link = Secret.make()
            if try await store.open(
                id: escalation.id, alertKey: escalation.alertKey, tokenHash: Secret.hash(escalation.link), data: try Self.encode(escalation), at: now)
            {
                logger.notice("escalation started", metadata: ["alert": "\(escalation.title)", "policy": "\(policy.name)"])
                opened = true
            }
        }
        // A new escalation's first step is due now, in this round.
        if opened { active = try await store.active() }
        // The Acknowledge button on the alerts page stops the paging too, once per press: an
        // acknowledgement of the escalation that runs out calls again, as one by its link does.
        let alertAcks = active.isEmpty ? [:] : try await alerts.acknowledgementTimes()
        for row in active {
            var escalation = try JSONDecoder().decode(Escalation.self, from: Data(row.data.utf8))
            guard let policy = oncall.policies.first(where: { $0.name == escalation.policy }) else {
                logger.warning("an escalation's policy is gone from oncall/; it stops", metadata: ["policy": "\(escalation.policy)"])
                try await store.save(id: row.id, data: row.data, active: false, notifications: [], at: now)
                continue
            }
            if !firingKeys.contains(escalation.alertKey) {
                escalation.resolve(at: now)
                try await store.save(id: row.id, data: try Self.encode(escalation), active: false, notifications: [], at: now)
                continue
            }
            let before = escalation
            if let ack = alertAcks[escalation.alertKey], ack.at >= escalation.start, ack.at > (escalation.acknowledgement?.at ?? .min) {
                escalation.acknowledge(by: ack.by, at: ack.at, policy: policy)
            }
            var messages: [(receiver: String, url: String, payload: String)] = []
            while case .notify(let index) = escalation.action(at: now, policy: policy) {
                let (people, sent) = try step(index, of: escalation, policy: policy, oncall: oncall, now: now)
                messages += sent
                escalation.sent.append(.init(at: now, step: index, target: Self.target(policy.step(index).target), people: people))
                escalation.notified(index)
            }
            if escalation != before {
                try await store.save(id: row.id, data: try Self.encode(escalation), active: true, notifications: messages, at: now)
            }
        }
    }

    static func matches(_ policy: EscalationPolicy, name: String, labels: [Label]) -> Bool {
        do { return try Selector(policy.matchers).matches(name: name, labels: labels) } catch { return false }
    }

    static func target(_ target: EscalationPolicy.Target) -> String {
        switch target {
        case .layer(let layer): return layer
        case .team: return "team"
        }
    }

    static func encode(_ escalation: Escalation) throws -> String { String(decoding: try JSONEncoder().encode(escalation), as: UTF8.self) }
}
