import AlmanacMetrics

/// How a receiver batches alerts, as Alertmanager's routes do: alerts with the same values of
/// `groupBy` travel together; a new group waits `groupWait` for its siblings, changes are sent
/// at most every `groupInterval`, and a group still firing is sent again every `repeatInterval`.
public struct Route: Sendable, Hashable {
    /// Label names; `alertname` is the rule and `service` the rule's service. Empty: one group.
    public var groupBy: [String] = ["alertname"]
    public var groupWait: Int64 = 0
    public var groupInterval: Int64 = 0
    public var repeatInterval: Int64 = 4 * 3_600_000

    public init() {}
}

/// An alert about to be notified, with what the payloads need from its rule.
public struct NotifiedAlert: Sendable, Equatable {
    public var alert: Alert
    public var service: String?
    public var summary: String?
    public var runbook: String?
    public var acknowledged: Bool

    public init(_ alert: Alert, rule: AlertRule?, acknowledged: Bool = false) {
        self.alert = alert
        service = rule?.service
        summary = rule?.summary
        runbook = rule?.runbook
        self.acknowledged = acknowledged
    }

    var key: String { AlertTracker.key(alert.rule, alert.labels) }
    var labels: [Label] { Silence.labels(alert, service: service) }
}

/// One message for one receiver: a group's firing and newly resolved alerts.
public struct GroupNotification: Sendable, Equatable {
    public enum Reason: String, Sendable { case new, changed, repeated }
    public var receiver: String
    public var groupLabels: [Label]
    public var firing: [NotifiedAlert]
    public var resolved: [NotifiedAlert]
    public var reason: Reason
}

/// The groups each receiver has been told about: pure and `Codable`, saved with the alert
/// state so a restart neither repeats a message early nor forgets a resolved alert.
public struct NotificationGroups: Sendable, Codable, Equatable {
    struct Group: Sendable, Codable, Equatable {
        var firstSeen: Int64
        var lastSent: Int64?
        /// Alert key → severity last sent as firing.
        var sent: [String: Severity] = [:]
        /// Resolved since the last message, and told about before (so their end is news).
        var resolved: [Alert] = []
        var resolvedExtras: [String: String] = [:]
    }

    var groups: [String: Group] = [:]

    public init() {}

    static func groupLabels(_ labels: [Label], route: Route) -> [Label] {
        route.groupBy.compactMap { name in labels.first { $0.name == name } ?? Label(name, "") }
    }

    /// The messages due at `now` for `receiver`, given the alerts firing now (silenced ones left
    /// out by the caller) and those resolved at this evaluation.
    public mutating func due(
        receiver: String, route: Route, firing: [NotifiedAlert], resolved: [NotifiedAlert], now: Int64
    ) -> [GroupNotification] {
        var byGroup: [[Label]: (firing: [NotifiedAlert], resolved: [NotifiedAlert])] = [:]
        for alert in firing { byGroup[Self.groupLabels(alert.labels, route: route), default: ([], [])].firing.append(alert) }
        for alert in resolved { byGroup[Self.groupLabels(alert.labels, route: route), default: ([], [])].resolved.append(alert) }
        let prefix = receiver + "\u{1}"
        for key in groups.keys where key.hasPrefix(prefix) {
            let labels = Self.decode(String(key.dropFirst(prefix.count)))
            if byGroup[labels] == nil { byGroup[labels] = ([], []) }
        }
        var out: [GroupNotification] = []
        for (labels, alerts) in byGroup.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let key = prefix + Self.encode(labels)
            var group = groups[key] ?? Group(firstSeen: now)
            for alert in alerts.resolved where group.sent[alert.key] != nil {
                group.resolved.append(alert.alert)
                group.resolvedExtras[alert.key] = alert.service
                group.sent[alert.key] = nil
            }
            let current = Dictionary(alerts.firing.map { ($0.key, $0.alert.severity) }) { a, _ in a }
            var reason: GroupNotification.Reason?
            if let last = group.lastSent {
                let changed = current.contains { group.sent[$0.key] != $0.value } || !group.resolved.isEmpty
                if changed && now - last >= route.groupInterval {
                    reason = .changed
                } else if !current.isEmpty && now - last >= route.repeatInterval && !alerts.firing.allSatisfy(\.acknowledged) {
                    reason = .repeated
                }
            } else if !current.isEmpty && now - group.firstSeen >= route.groupWait {
                reason = .new
            }
            if let reason {
                let resolvedNow = group.resolved.map { alert in
                    NotifiedAlert(alert, service: group.resolvedExtras[AlertTracker.key(alert.rule, alert.labels)])
                }
                out.append(
                    GroupNotification(
                        receiver: receiver, groupLabels: labels, firing: alerts.firing.sorted { $0.key < $1.key }, resolved: resolvedNow,
                        reason: reason))
                group.lastSent = now
                group.sent = current
                group.resolved = []
                group.resolvedExtras = [:]
            }
            // A group nobody needs to hear about again is forgotten.
            if current.isEmpty && group.resolved.isEmpty && group.sent.isEmpty {
                groups[key] = nil
            } else {
                groups[key] = group
            }
        }
        return out
    }

    static func encode(_ labels: [Label]) -> String {
        labels.map { "\($0.name)\u{2}\($0.value)" }.joined(separator: "\u{3}")
    }

    static func decode(_ text: String) -> [Label] {
        text.isEmpty
            ? []
            : text.split(separator: "\u{3}", omittingEmptySubsequences: false).map { part in
                let pieces = part.split(separator: "\u{2}", maxSplits: 1, omittingEmptySubsequences: false)
                return Label(String(pieces[0]), pieces.count > 1 ? String(pieces[1]) : "")
            }
    }
}

extension NotifiedAlert {
    init(_ alert: Alert, service: String?) {
        self.alert = alert
        self.service = service
        summary = nil
        runbook = nil
        acknowledged = false
    }
}

/// Everything the rule service keeps between evaluations and across restarts.
public struct AlertingState: Sendable, Codable {
    public var tracker = AlertTracker()
    public var groups = NotificationGroups()
    /// When firing alerts were last pushed again to Alertmanager receivers.
    public var lastResend: Int64 = 0

    public init() {}
}
