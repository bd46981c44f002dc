import AlmanacAlerts
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Evaluates the alert rules on an interval against stored samples (or a Prometheus), and records every change
/// (state, history, notifications) in one transaction.
public actor RuleService {
    let config: MonitoringConfig
    let store: SQLSeriesStore
    let alerts: SQLAlertStore
    let externalURL: String
    /// Rules other domains compute themselves (SLO burn rates), alerting through the same state.
    let sources: RuleSources
    /// A silence on this long is brought back to people's attention, then again as often.
    let silenceReminder: Int64 = 7 * 86_400_000
    let logger: Logger
    /// Read from the database at the first round, then kept here between rounds.
    private var state: AlertingState?

    public init(
        config: MonitoringConfig, store: SQLSeriesStore, alerts: SQLAlertStore, externalURL: String, sources: RuleSources = RuleSources(),
        logger: Logger
    ) {
        self.sources = sources
        self.config = config
        self.store = store
        self.alerts = alerts
        self.externalURL = externalURL
        self.logger = logger
    }

    /// One round of `PeriodicJob`: every rule evaluated as of `now`.
    public func round(now: Int64) async throws {
        var current: AlertingState
        if let state {
            current = state
        } else {
            do {
                current = try await alerts.state()
            } catch {
                // Rules start afresh: alerts that still hold fire again after their `for`, which is
                // louder than losing them, and the damaged state is overwritten at the next save.
                logger.error("the saved alert state cannot be read; alerts start afresh", metadata: ["error": "\(error)"])
                current = AlertingState()
            }
        }
        defer { state = current }
        try await evaluate(&current, now: now)
    }

    /// How far back a rule looks.
    static func lookback(_ rule: AlertRule) -> Int64 {
        switch rule.condition {
        case .forecast: return 30 * 86_400_000
        case .absent(let duration): return duration + RuleEvaluator.staleness
        case .threshold:
            switch rule.function {
            case .last: return RuleEvaluator.staleness
            case .rate(let w), .deriv(let w), .average(let w), .maximum(let w), .minimum(let w): return w
            }
        }
    }

    /// Alertmanager forgets an alert it has not heard of for its resolve timeout (5 minutes by
    /// default), so firing alerts are sent to it again every minute, as Prometheus does.
    static let resendInterval: Int64 = 60_000

    private func evaluate(_ state: inout AlertingState, now: Int64) async throws {
        let files = config.current
        let computed = try await sources.evaluate(now: now)
        let rules = files.rules + computed.map(\.rule)
        let receivers = files.receivers
        let source = files.seriesSource(store: store)
        guard !rules.isEmpty || !state.tracker.alerts.isEmpty else { return }
        let given = Dictionary(computed.map { ($0.rule.name, $0.results) }) { a, _ in a }
        let stored = try await alerts.silences(endingAfter: now).filter { $0.isActive(at: now) }
        let silences = stored + sources.silences(now: now)
        let acknowledged = try await alerts.acknowledgements()
        let byName = Dictionary(rules.map { ($0.name, $0) }) { a, _ in a }
        var events: [AlertEvent] = []
        var changed: [Alert] = []
        var resolved: [Alert] = []
        // Alerts of a rule that a reload removed end quietly: nobody is watching for them any more.
        for alert in state.tracker.forget(keeping: Set(byName.keys)) {
            events.append(event(alert, "rule removed", now))
        }
        for rule in rules {
            let results: [RuleResult]
            if let computed = given[rule.name] {
                results = computed
            } else {
                results = RuleEvaluator.evaluate(
                    rule, series: try await source.select(rule.selector, from: now - Self.lookback(rule), to: now), now: now,
                    firing: state.tracker.firing(rule: rule.name))
            }
            for transition in state.tracker.update(rule: rule, results: results, now: now) {
                switch transition {
                case .fired(let a):
                    changed.append(a)
                    events.append(event(a, "fired", now))
                case .severityChanged(let a, let from):
                    changed.append(a)
                    events.append(event(a, "\(from.rawValue)->\(a.severity.rawValue)", now))
                case .resolved(let a):
                    resolved.append(a)
                    events.append(event(a, "resolved", now))
                }
            }
        }
        func notified(_ alert: Alert) -> NotifiedAlert {
            NotifiedAlert(alert, rule: byName[alert.rule], acknowledged: acknowledged[AlertTracker.key(alert.rule, alert.labels)] != nil)
        }
        func silenced(_ alert: Alert) -> Bool {
            Silence.silencing(alert, among: silences, rules: byName, at: now) != nil
        }
        // What a silence or a maintenance window spared people stays in the history, by whom.
        for alert in changed {
            if let silence = Silence.silencing(alert, among: silences, rules: byName, at: now) {
                events.append(event(alert, "held back by \(silence.createdBy)", now))
            }
        }
        let firing = state.tracker.alerts.values.filter { $0.state == .firing && !silenced($0) }.sorted { $0.firedAt ?? 0 < $1.firedAt ?? 0 }
        let resend = now - state.lastResend >= Self.resendInterval
        if resend { state.lastResend = now }
        var notifications: [(receiver: String, url: String, payload: String)] = []
        for receiver in receivers {
            if receiver.kind == .alertmanager {
                // Alertmanager groups, silences and repeats on its own: it gets every change, and
                // the firing set again each minute.
                let push = (resend ? firing : changed.filter { !silenced($0) }) + resolved
                if !push.isEmpty {
                    notifications.append(
                        (receiver.name, receiver.url, receiver.alertmanagerPayload(for: push.map(notified), externalURL: externalURL)))
                }
                continue
            }
            for group in state.groups.due(
                receiver: receiver.name, route: receiver.route, firing: firing.map(notified), resolved: resolved.map(notified), now: now)
            {
                notifications.append((receiver.name, receiver.url, receiver.payload(for: group, externalURL: externalURL)))
            }
        }
        let reminders = stored.filter { $0.reminderDue(at: now, after: silenceReminder) }
        for silence in reminders {
            for receiver in receivers {
                if let payload = receiver.reminder(for: silence, now: now, externalURL: externalURL) {
                    notifications.append((receiver.name, receiver.url, payload))
                }
            }
        }
        state.tracker.removeResolved()
        try await alerts.save(
            state: state, events: events, notifications: notifications, at: now,
            resolvedKeys: resolved.map { AlertTracker.key($0.rule, $0.labels) }, reminded: reminders.map(\.id))
    }

    private func event(_ alert: Alert, _ what: String, _ now: Int64) -> AlertEvent {
        AlertEvent(
            at: now, rule: alert.rule, labels: alert.labels.map { Selector.Matcher.equal($0.name, $0.value).text }.joined(separator: ","),
            event: what,
            severity: alert.severity.rawValue, value: alert.value)
    }
}
