import AlmanacConfig
import AlmanacMetrics
import Foundation

/// Reads `monitoring/targets.yaml` (and the target files it names) from the config repository.
enum MonitoringSetup {
    static func targets(configDirectory: String) throws -> [ScrapeTarget] {
        let path = configDirectory + "/monitoring/targets.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let root = try ConfigDocument.parse(try read(path), file: "monitoring/targets.yaml")
        return try ScrapeConfig.targets(root) { (file: String) throws(ConfigError) -> ConfigNode in
            let full = configDirectory + "/monitoring/" + file
            guard !file.contains(".."), let text = try? read(full) else {
                throw ConfigError(file: "monitoring/" + file, line: 0, field: "", message: "cannot be read")
            }
            return try ConfigDocument.parse(text, file: "monitoring/" + file)
        }
    }

    private static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}
