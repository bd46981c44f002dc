import AlmanacCatalog
import AlmanacChecks
import AlmanacConfig
import Foundation

/// The checks of `checks/*.yaml`, by name, each tied to an entity of the catalogue; a relative
/// `ca_file` is read from the config repository.
public struct CheckFiles: Sendable {
    public var checks: [Check]
    /// Recoveries that may run at once across the fleet (`recovery: {concurrent: N}`, default 2).
    public var concurrentRecoveries: Int

    public init(checks: [Check], concurrentRecoveries: Int = 2) {
        self.checks = checks
        self.concurrentRecoveries = concurrentRecoveries
    }

    public static func load(_ configDirectory: String, entities: Set<EntityRef>?) throws(ConfigErrors) -> CheckFiles {
        var checks: [Check] = []
        var concurrent: (value: Int, file: String)?
        try ConfigFolder(root: configDirectory, folder: CheckFile.folder, suffixes: [".yaml", ".yml"]).eachDocument {
            source, root throws(ConfigError) in
            if let value = try CheckFile.concurrentRecoveries(root) {
                if let other = concurrent, other.value != value {
                    throw root["recovery"]!.error("says \(value) recoveries at once; \(other.file) says \(other.value)")
                }
                concurrent = (value, source.file)
            }
            for var check in try CheckFile.parse(root, entities: entities) {
                if let other = checks.first(where: { $0.name == check.name }) {
                    throw ConfigError(
                        file: source.file, line: check.line, field: "name", message: "a second check named '\(check.name)' (first in \(other.file))")
                }
                if case .http(let url, let status, let body, let latency, let days, let ca?) = check.probe, !ca.hasPrefix("/") {
                    check.probe = .http(
                        url: url, status: status, body: body, latency: latency, certificateDays: days, ca: configDirectory + "/" + ca)
                }
                checks.append(check)
            }
        }
        return CheckFiles(checks: checks, concurrentRecoveries: concurrent?.value ?? 2)
    }
}
