import AlmanacMetrics

/// One alert: a rule and the labels of the series it fired for.
public struct Alert: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable { case pending, firing, resolved }

    public var rule: String
    public var labels: [Label]
    public var state: State
    public var severity: Severity
    public var value: Double?
    /// Milliseconds: when the condition first held, when it fired, when it last held, when it resolved.
    public var activeAt: Int64
    public var firedAt: Int64?
    public var lastActiveAt: Int64
    public var resolvedAt: Int64?
}

/// What changed at an evaluation, for notifications and the history.
public enum AlertTransition: Sendable, Equatable {
    case fired(Alert)
    case severityChanged(Alert, from: Severity)
    case resolved(Alert)
}

/// The alert lifecycle of Prometheus's rule manager: inactive → pending (the condition holds,
/// `for` not yet over) → firing → resolved, with `keep_firing_for` holding a firing alert
/// through short gaps. Pure, and `Codable` so a restart neither forgets nor re-sends.
public struct AlertTracker: Sendable, Codable {
    /// Pending and firing alerts, and resolved ones until they are taken with `removeResolved`.
    public private(set) var alerts: [String: Alert] = [:]

    public init() {}

    public static func key(_ rule: String, _ labels: [Label]) -> String {
        ([rule] + labels.map { "\($0.name)=\($0.value)" }).joined(separator: "\u{1}")
    }

    /// Label sets of the rule's alerts that fire now (for hysteresis).
    public func firing(rule: String) -> Set<[Label]> {
        Set(alerts.values.filter { $0.rule == rule && $0.state == .firing }.map(\.labels))
    }

    /// Applies one evaluation of `rule` at `now`.
    public mutating func update(rule: AlertRule, results: [RuleResult], now: Int64) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        var seen: Set<String> = []
        for result in results {
            guard let severity = result.severity else { continue }
            let key = Self.key(rule.name, result.labels)
            seen.insert(key)
            if var alert = alerts[key], alert.state != .resolved {
                let previous = alert.severity
                alert.lastActiveAt = now
                alert.value = result.value
                alert.severity = severity
                if alert.state == .pending && now - alert.activeAt >= rule.pendingFor {
                    alert.state = .firing
                    alert.firedAt = now
                    transitions.append(.fired(alert))
                } else if alert.state == .firing && previous != severity {
                    transitions.append(.severityChanged(alert, from: previous))
                }
                alerts[key] = alert
            } else {
                var alert = Alert(
                    rule: rule.name, labels: result.labels, state: .pending, severity: severity, value: result.value,
                    activeAt: now, firedAt: nil, lastActiveAt: now, resolvedAt: nil)
                if rule.pendingFor == 0 {
                    alert.state = .firing
                    alert.firedAt = now
                    transitions.append(.fired(alert))
                }
                alerts[key] = alert
            }
        }
        for (key, var alert) in alerts where alert.rule == rule.name && !seen.contains(key) && alert.state != .resolved {
            switch alert.state {
            case .pending:
                alerts[key] = nil
            case .firing where now - alert.lastActiveAt < rule.keepFiringFor:
                continue
            default:
                alert.state = .resolved
                alert.resolvedAt = now
                alerts[key] = alert
                transitions.append(.resolved(alert))
            }
        }
        return transitions
    }

    /// Forgets the alerts of rules not in `rules`, and returns them.
    public mutating func forget(keeping rules: Set<String>) -> [Alert] {
        let gone = alerts.filter { !rules.contains($0.value.rule) }
        for key in gone.keys { alerts[key] = nil }
        return gone.values.sorted { $0.rule < $1.rule }
    }

    /// Forgets resolved alerts (after their notification has been queued).
    public mutating func removeResolved() {
        alerts = alerts.filter { $0.value.state != .resolved }
    }
}
