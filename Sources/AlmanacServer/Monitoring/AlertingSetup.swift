import AlmanacAlerts
import AlmanacConfig
import Foundation

/// Reads `monitoring/rules/*.yaml` and `monitoring/notifications.yaml` from the config repository.
enum AlertingSetup {
    static func rules(configDirectory: String) throws -> [AlertRule] {
        let directory = configDirectory + "/monitoring/rules"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var rules: [AlertRule] = []
        var names: [String: String] = [:]
        for file in files {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for rule in try RuleFile.parse(try ConfigDocument.parse(text, file: "monitoring/rules/" + file)) {
                if let other = names[rule.name] {
                    throw ConfigError(file: rule.file, line: rule.line, field: "alert", message: "rule '\(rule.name)' is already defined in \(other)")
                }
                names[rule.name] = rule.file
                rules.append(rule)
            }
        }
        return rules
    }

    static func receivers(configDirectory: String) throws -> [Receiver] {
        let path = configDirectory + "/monitoring/notifications.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try Receiver.parse(try ConfigDocument.parse(try String(contentsOfFile: path, encoding: .utf8), file: "monitoring/notifications.yaml"))
    }
}
