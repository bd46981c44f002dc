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
/// ```
public struct Receiver: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case webhook, alertmanager, slack }
    public var name: String
    public var kind: Kind
    public var url: String

    /// Parses the receivers file.
    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [Receiver] {
        guard let items = root["receivers"]?.elements else { throw root.error("missing 'receivers' (a list)") }
        var out: [Receiver] = []
        for item in items {
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
            let kinds = Kind.allCases.filter { item[$0.rawValue] != nil }
            guard kinds.count == 1, let kind = kinds.first, let node = item[kind.rawValue], let url = node.string else {
                throw item.error("a receiver needs exactly one of webhook, alertmanager, slack (a URL)")
            }
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url) != nil else { throw node.error("must be an http(s) URL") }
            out.append(Receiver(name: name, kind: kind, url: kind == .alertmanager ? url.trimmingSuffix("/") + "/api/v2/alerts" : url))
        }
        return out
    }

    /// The body this receiver expects for these alerts of one rule.
    public func payload(for alerts: [Alert], rule: AlertRule, firing: Bool, externalURL: String) -> String {
        switch kind {
        case .webhook: return NotificationPayload.webhook(alerts, rule: rule, firing: firing, receiver: name, externalURL: externalURL)
        case .alertmanager: return NotificationPayload.alertmanager(alerts, rule: rule, externalURL: externalURL)
        case .slack: return NotificationPayload.chat(alerts, rule: rule, firing: firing)
        }
    }
}

extension Receiver.Kind: CaseIterable {}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
