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

    static func labels(_ notified: NotifiedAlert) -> [String: JSONValue] {
        var out: [String: JSONValue] = ["severity": .string(notified.alert.severity.rawValue)]
        for label in notified.labels { out[label.name] = .string(label.value) }
        return out
    }

    static func annotations(_ notified: NotifiedAlert) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        if let summary = notified.summary { out["summary"] = .string(summary) }
        if let runbook = notified.runbook { out["runbook_url"] = .string(runbook) }
        if let value = notified.alert.value, value.isFinite { out["value"] = .string(String(value)) }
        return out
    }

    static func fingerprint(_ labels: [String: JSONValue]) -> String {
        let text = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: "\u{1}")
        return String(text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 16)
    }

    static func alertObject(_ notified: NotifiedAlert, externalURL: String) -> [String: JSONValue] {
        let alert = notified.alert
        let labelSet = labels(notified)
        return [
            "status": .string(alert.state == .resolved ? "resolved" : "firing"), "labels": .object(labelSet),
            "annotations": .object(annotations(notified)), "startsAt": .string(time(alert.firedAt ?? alert.activeAt)),
            "endsAt": .string(time(alert.resolvedAt)), "generatorURL": .string(externalURL + "/alerts"),
            "fingerprint": .string(fingerprint(labelSet)),
        ]
    }

    /// Alertmanager's webhook payload, version 4, for one group.
    static func webhook(_ group: GroupNotification, externalURL: String) -> String {
        let objects = (group.firing + group.resolved).map { alertObject($0, externalURL: externalURL) }
        let sets = objects.compactMap { $0["labels"]?.objectValue }
        let common = sets.first?.filter { key, value in sets.allSatisfy { $0[key] == value } } ?? [:]
        let groupKey = "{}:{" + group.groupLabels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        return JSONWriter.string([
            "version": "4", "groupKey": .string(groupKey), "truncatedAlerts": 0,
            "status": .string(group.firing.isEmpty ? "resolved" : "firing"), "receiver": .string(group.receiver),
            "groupLabels": .object(Dictionary(group.groupLabels.map { ($0.name, JSONValue.string($0.value)) }) { a, _ in a }),
            "commonLabels": .object(common), "commonAnnotations": [:],
            "externalURL": .string(externalURL), "alerts": .array(objects.map(JSONValue.object)),
        ])
    }

    /// The body of Alertmanager's `POST /api/v2/alerts`.
    static func alertmanager(_ alerts: [NotifiedAlert], externalURL: String) -> String {
        JSONWriter.string(
            .array(
                alerts.map { notified in
                    var object: [String: JSONValue] = [
                        "labels": .object(labels(notified)), "annotations": .object(annotations(notified)),
                        "startsAt": .string(time(notified.alert.firedAt ?? notified.alert.activeAt)),
                        "generatorURL": .string(externalURL + "/alerts"),
                    ]
                    if let resolved = notified.alert.resolvedAt { object["endsAt"] = .string(time(resolved)) }
                    return .object(object)
                }))
    }

    /// `{"text": ...}`, which Slack and Mattermost incoming webhooks both take.
    static func chat(_ group: GroupNotification) -> String {
        func line(_ notified: NotifiedAlert) -> String {
            let labels = notified.alert.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            return "• \(notified.alert.rule)" + (labels.isEmpty ? "" : " {\(labels)}") + " (\(notified.alert.severity.rawValue))"
                + (notified.summary.map { ": \($0)" } ?? "")
        }
        let scope = group.groupLabels.filter { !$0.value.isEmpty }.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        var lines: [String] = []
        if !group.firing.isEmpty {
            lines.append("🔥 \(group.firing.count) firing" + (scope.isEmpty ? "" : " for \(scope)") + (group.reason == .repeated ? " (still)" : ""))
            lines += group.firing.map(line)
        }
        if !group.resolved.isEmpty {
            lines.append("✅ \(group.resolved.count) resolved" + (scope.isEmpty ? "" : " for \(scope)"))
            lines += group.resolved.map(line)
        }
        return JSONWriter.string(["text": .string(lines.joined(separator: "\n"))])
    }

    /// A one-off notice (a long silence, a rolled-back release) as a chat message.
    static func noticeChat(_ text: String) -> String {
        JSONWriter.string(["text": .string(text)])
    }

    /// A one-off notice as a webhook payload: one firing alert named `name` with `labels`.
    static func noticeWebhook(name: String, labels: [Label], summary: String, receiver: String, now: Int64, externalURL: String) -> String {
        let alert = Alert(
            rule: name, labels: labels, state: .firing, severity: .warning, value: nil, activeAt: now, firedAt: now, lastActiveAt: now,
            resolvedAt: nil)
        var notified = NotifiedAlert(alert, rule: nil)
        notified.summary = summary
        return webhook(
            GroupNotification(receiver: receiver, groupLabels: [Label("alertname", name)], firing: [notified], resolved: [], reason: .new),
            externalURL: externalURL)
    }
}
