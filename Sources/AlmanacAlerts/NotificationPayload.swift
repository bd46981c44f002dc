import AlmanacConfig
import AlmanacMetrics
import Foundation

/// Notification bodies in the formats their receivers already speak.
enum NotificationPayload {
    static func time(_ ms: Int64?) -> String {
        guard let ms else { return "0001-01-01T00:00:00Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func labels(_ alert: Alert, _ rule: AlertRule) -> [String: JSONValue] {
        var out: [String: JSONValue] = ["alertname": .string(rule.name), "severity": .string(alert.severity.rawValue)]
        for label in alert.labels { out[label.name] = .string(label.value) }
        if let service = rule.service { out["service"] = .string(service) }
        return out
    }

    static func annotations(_ alert: Alert, _ rule: AlertRule) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        if let summary = rule.summary { out["summary"] = .string(summary) }
        if let runbook = rule.runbook { out["runbook_url"] = .string(runbook) }
        if let value = alert.value, value.isFinite { out["value"] = .string(String(value)) }
        return out
    }

    static func fingerprint(_ labels: [String: JSONValue]) -> String {
        let text = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: "\u{1}")
        return String(text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 16)
    }

    static func alertObject(_ alert: Alert, _ rule: AlertRule, externalURL: String) -> [String: JSONValue] {
        let labelSet = labels(alert, rule)
        return [
            "status": .string(alert.state == .resolved ? "resolved" : "firing"), "labels": .object(labelSet),
            "annotations": .object(annotations(alert, rule)), "startsAt": .string(time(alert.firedAt ?? alert.activeAt)),
            "endsAt": .string(time(alert.resolvedAt)), "generatorURL": .string(externalURL + "/alerts"),
            "fingerprint": .string(fingerprint(labelSet)),
        ]
    }

    /// Alertmanager's webhook payload, version 4.
    static func webhook(_ alerts: [Alert], rule: AlertRule, firing: Bool, receiver: String, externalURL: String) -> String {
        let objects = alerts.map { alertObject($0, rule, externalURL: externalURL) }
        let sets = objects.compactMap { $0["labels"]?.objectValue }
        let common = sets.first?.filter { key, value in sets.allSatisfy { $0[key] == value } } ?? [:]
        return JSONWriter.string([
            "version": "4", "groupKey": .string("{}:{alertname=\"\(rule.name)\"}"), "truncatedAlerts": 0,
            "status": .string(firing ? "firing" : "resolved"), "receiver": .string(receiver),
            "groupLabels": ["alertname": .string(rule.name)], "commonLabels": .object(common), "commonAnnotations": [:],
            "externalURL": .string(externalURL), "alerts": .array(objects.map(JSONValue.object)),
        ])
    }

    /// The body of Alertmanager's `POST /api/v2/alerts`.
    static func alertmanager(_ alerts: [Alert], rule: AlertRule, externalURL: String) -> String {
        JSONWriter.string(.array(alerts.map { alert in
            var object: [String: JSONValue] = [
                "labels": .object(labels(alert, rule)), "annotations": .object(annotations(alert, rule)),
                "startsAt": .string(time(alert.firedAt ?? alert.activeAt)), "generatorURL": .string(externalURL + "/alerts"),
            ]
            if let resolved = alert.resolvedAt { object["endsAt"] = .string(time(resolved)) }
            return .object(object)
        }))
    }

    /// `{"text": ...}`, which Slack and Mattermost incoming webhooks both take.
    static func chat(_ alerts: [Alert], rule: AlertRule, firing: Bool) -> String {
        let head = firing ? "🔥 \(rule.name) is firing" : "✅ \(rule.name) is resolved"
        let lines = alerts.map { alert in
            "• " + alert.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + " (\(alert.severity.rawValue))"
        }
        return JSONWriter.string(["text": .string(([head] + lines + (rule.summary.map { [$0] } ?? [])).joined(separator: "\n"))])
    }
}
