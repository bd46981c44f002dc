import AlmanacConfig
import AlmanacMetrics
import Foundation

/// Where notifications go, from `monitoring/notifications.yaml`:
///
/// ```yaml
/// receivers:
///   - name: ops
///     webhook: http://127.0.0.1:5001/hook          # Alertmanager's webhook payload, version 4
///   - name: alertmanager
///     alertmanager: http://127.0.0.1:9093           # pushed to /api/v2/alerts
///   - name: chat
///     slack: https://chat.example.org/hooks/abc      # Slack- and Mattermost-compatible {"text": ...}
///     group_by: [service]                            # default [alertname]; [] sends one group
///     group_wait: 30s                                # default 0s
///     group_interval: 5m                             # default 0s: changes go out at once
///     repeat_interval: 4h                            # default 4h; acknowledged alerts are not repeated
/// ```
public struct Receiver: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case webhook, alertmanager, slack }
    public var name: String
    public var kind: Kind
    public var url: String
    /// Grouping and repeats; Alertmanager receivers group on their own and get every change.
    public var route = Route()

    static let fields: Set<String> = ["name", "webhook", "alertmanager", "slack", "group_by", "group_wait", "group_interval", "repeat_interval"]

    /// Parses the receivers file.
    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [Receiver] {
        guard let items = root["receivers"]?.elements else { throw root.error("missing 'receivers' (a list)") }
        var out: [Receiver] = []
        for item in items {
            for member in item.members ?? [] where !fields.contains(member.key) {
                throw member.value.error("unknown field (expected one of \(fields.sorted().joined(separator: ", ")))")
            }
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
            let kinds = Kind.allCases.filter { item[$0.rawValue] != nil }
            guard kinds.count == 1, let kind = kinds.first, let node = item[kind.rawValue], let url = node.string else {
                throw item.error("a receiver needs exactly one of webhook, alertmanager, slack (a URL)")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url) != nil else { throw node.error("must be an http(s) URL") }
            var receiver = Receiver(name: name, kind: kind, url: kind == .alertmanager ? url.trimmingSuffix("/") + "/api/v2/alerts" : url)
            receiver.route = try route(item)
            out.append(receiver)
        }
        return out
    }

    static func route(_ item: ConfigNode) throws(ConfigError) -> Route {
        var route = Route()
        if let node = item["group_by"] {
            guard let names = node.elements?.compactMap(\.string), names.count == node.elements?.count else {
                throw node.error("must be a list of label names")
            }
            route.groupBy = names
        }
        route.groupWait = try duration(item["group_wait"]) ?? route.groupWait
        route.groupInterval = try duration(item["group_interval"]) ?? route.groupInterval
        route.repeatInterval = try duration(item["repeat_interval"]) ?? route.repeatInterval
        return route
    }

    /// Unlike a scrape interval, a wait may be zero.
    static func duration(_ node: ConfigNode?) throws(ConfigError) -> Int64? {
        guard let node else { return nil }
        guard let text = node.string, let ms = DurationText.milliseconds(text) else {
            throw node.error("must be a duration such as 0s, 30s, 5m or 4h")
        }
        return ms
    }

    /// The body of one group's message (webhook and chat receivers).
    public func payload(for group: GroupNotification, externalURL: String) -> String {
        kind == .slack ? NotificationPayload.chat(group) : NotificationPayload.webhook(group, externalURL: externalURL)
    }

    /// The body that pushes alerts to Alertmanager.
    public func alertmanagerPayload(for alerts: [NotifiedAlert], externalURL: String) -> String {
        NotificationPayload.alertmanager(alerts, externalURL: externalURL)
    }

    /// A reminder that a silence is still on; nil for Alertmanager, which keeps its own silences.
    public func reminder(for silence: Silence, now: Int64, externalURL: String) -> String? {
        let days = (now - silence.startsAt) / 86_400_000
        let ends = NotificationPayload.time(silence.endsAt)
        return notice(
            name: "SilenceStillActive", labels: [Label("silence_id", String(silence.id)), Label("matchers", silence.matchers)],
            text:
                "🔕 Silence #\(silence.id) (\(silence.matchers)) by \(silence.createdBy) has been on for \(days) days and ends \(ends): \(silence.comment)",
            summary: "silence by \(silence.createdBy) still on; ends \(ends): \(silence.comment)", now: now, externalURL: externalURL)
    }

    /// A one-off notice for people (a long silence, a rolled-back release); nil for
    /// Alertmanager, which takes alerts only.
    public func notice(name: String, labels: [Label], text: String, summary: String, now: Int64, externalURL: String) -> String? {
        switch kind {
        case .alertmanager: return nil
        case .slack: return NotificationPayload.noticeChat(text)
        case .webhook:
            return NotificationPayload.noticeWebhook(
                name: name, labels: labels, summary: summary, receiver: self.name, now: now, externalURL: externalURL)
        }
    }
}

extension Receiver.Kind: CaseIterable {}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
