import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import AlmanacStorage
import AlmanacTrends
import Foundation

/// The monitoring part of the config repository: `monitoring/targets.yaml` (and the target files
/// it names), `monitoring/rules/*.yaml`, `monitoring/notifications.yaml`, `monitoring/trends.yaml`, `monitoring/storage.yaml`, `monitoring/source.yaml`.
public struct MonitoringFiles: Sendable {
    public var targets: [ScrapeTarget]
    public var rules: [AlertRule]
    public var receivers: [Receiver]
    /// Series followed for their trend: what the rules watch, then `trends.yaml`.
    public var trends: [TrendSelection]
    /// How long raw samples and rollups are kept (`monitoring/storage.yaml`).
    public var retention: RetentionPolicy
    /// A Prometheus to read instead of the local store (`monitoring/source.yaml`).
    public var source: PrometheusSource?

    /// Reads every file; the first mistake is thrown as `file:line: field: message`.
    public static func load(configDirectory: String) throws -> MonitoringFiles {
        let rules = try self.rules(configDirectory)
        return MonitoringFiles(
            targets: try targets(configDirectory), rules: rules, receivers: try receivers(configDirectory),
            trends: TrendSelection.from(rules: rules) + (try optional(configDirectory, "trends.yaml").map(TrendSelection.parse) ?? []),
            retention: try optional(configDirectory, "storage.yaml").map(RetentionPolicy.parse) ?? .standard,
            source: try optional(configDirectory, "source.yaml").flatMap(PrometheusSource.parse))
    }

    static func targets(_ configDirectory: String) throws -> [ScrapeTarget] {
        guard let root = try optional(configDirectory, "targets.yaml") else { return [] }
        return try ScrapeConfig.targets(root) { (file: String) throws(ConfigError) -> ConfigNode in
            guard !file.contains("..") else {
                throw ConfigError(file: "monitoring/" + file, line: 0, field: "", message: "must stay inside monitoring/")
            }
            return try ConfigDocument.parse(try ConfigFolder.read(root: configDirectory, file: "monitoring/" + file), file: "monitoring/" + file)
        }
    }

    static func rules(_ configDirectory: String) throws -> [AlertRule] {
        let files = try ConfigFolder(root: configDirectory, folder: "monitoring/rules", suffixes: [".yaml", ".yml"], recursive: false).documents()
        var rules: [AlertRule] = []
        var names: [String: String] = [:]
        for file in files {
            for rule in try RuleFile.parse(try ConfigDocument.parse(file.text, file: file.file)) {
                if let other = names[rule.name] {
                    throw ConfigError(file: rule.file, line: rule.line, field: "alert", message: "rule '\(rule.name)' is already defined in \(other)")
                }
                names[rule.name] = rule.file
                rules.append(rule)
            }
        }
        return rules
    }

    static func receivers(_ configDirectory: String) throws -> [Receiver] {
        try optional(configDirectory, "notifications.yaml").map(Receiver.parse) ?? []
    }

    /// A file under `monitoring/`, parsed, or nil when there is none.
    private static func optional(_ configDirectory: String, _ name: String) throws -> ConfigNode? {
        guard FileManager.default.fileExists(atPath: configDirectory + "/monitoring/" + name) else { return nil }
        return try ConfigDocument.parse(try ConfigFolder.read(root: configDirectory, file: "monitoring/" + name), file: "monitoring/" + name)
    }
}

extension MonitoringFiles {
    /// Where rules and trends read: the configured Prometheus, else the local store.
    public func seriesSource(store: SQLSeriesStore) -> any SeriesSource {
        if let source { return PrometheusSeriesSource(source: source) }
        return StoredSeriesSource(store: store, steps: retention.rollups.map(\.step))
    }
}
