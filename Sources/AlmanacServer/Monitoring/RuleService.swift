import AlmanacAlerts
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging
import ServiceLifecycle

/// Evaluates the alert rules on an interval against stored samples, and records every change
/// (state, history, notifications) in one transaction.
struct RuleService: Service {
    let rules: [AlertRule]
    let receivers: [Receiver]
    let series: SQLSeriesStore
    let alerts: SQLAlertStore
    let intervalSeconds: Double
    let externalURL: String
    let logger: Logger

    func run() async throws {
        guard !rules.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        var tracker = AlertTracker()
        var lastResend: Int64 = 0
        if let saved = try? await alerts.loadState(), let restored = try? JSONDecoder().decode(AlertTracker.self, from: saved) {
            tracker = restored
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await evaluate(&tracker, lastResend: &lastResend)
            } catch {
                logger.error("rule evaluation failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(intervalSeconds * 1000))) }
            } catch {
                return
            }
        }
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

    func evaluate(_ tracker: inout AlertTracker, lastResend: inout Int64) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let resend = now - lastResend >= Self.resendInterval
        if resend { lastResend = now }
        var events: [AlertEvent] = []
        var notifications: [(receiver: String, url: String, payload: String)] = []
        for rule in rules {
            var data: [SeriesData] = []
            for stored in try await series.series(named: rule.selector.name) where rule.selector.matches(name: stored.name, labels: stored.labels) {
                let samples = try await series.samples(seriesID: stored.id, from: now - Self.lookback(rule), to: now)
                data.append(SeriesData(name: stored.name, labels: stored.labels, samples: samples))
            }
            let results = RuleEvaluator.evaluate(rule, series: data, now: now, firing: tracker.firing(rule: rule.name))
            let transitions = tracker.update(rule: rule, results: results, now: now)
            var fired: [Alert] = [], resolved: [Alert] = []
            for transition in transitions {
                switch transition {
                case .fired(let a):
                    fired.append(a)
                    events.append(event(a, "fired", now))
                case .severityChanged(let a, let from):
                    fired.append(a)
                    events.append(event(a, "\(from.rawValue)->\(a.severity.rawValue)", now))
                case .resolved(let a):
                    resolved.append(a)
                    events.append(event(a, "resolved", now))
                }
            }
            for receiver in receivers {
                if resend && receiver.kind == .alertmanager {
                    let stillFiring = tracker.alerts.values.filter { $0.rule == rule.name && $0.state == .firing }
                        .filter { alert in !fired.contains { $0.labels == alert.labels } }
                    if !stillFiring.isEmpty {
                        notifications.append((receiver.name, receiver.url, receiver.payload(for: stillFiring, rule: rule, firing: true, externalURL: externalURL)))
                    }
                }
                if !fired.isEmpty {
                    notifications.append((receiver.name, receiver.url, receiver.payload(for: fired, rule: rule, firing: true, externalURL: externalURL)))
                }
                if !resolved.isEmpty {
                    notifications.append((receiver.name, receiver.url, receiver.payload(for: resolved, rule: rule, firing: false, externalURL: externalURL)))
                }
            }
        }
        tracker.removeResolved()
        try await alerts.save(state: try JSONEncoder().encode(tracker), events: events, notifications: notifications, at: now)
    }

    private func event(_ alert: Alert, _ what: String, _ now: Int64) -> AlertEvent {
        AlertEvent(
            at: now, rule: alert.rule, labels: alert.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ","), event: what,
            severity: alert.severity.rawValue, value: alert.value)
    }
}
