import AlmanacBackups
import AlmanacCatalog
import AlmanacConfig
import Foundation

/// The backups of `backups/*.yaml`, each tied to a catalogue entity, their directories and
/// repositories checked to exist when the files load.
public struct BackupFiles: Sendable {
    public var backups: [Backup]

    public init(backups: [Backup]) { self.backups = backups }

    public static func load(_ configDirectory: String, entities: Set<EntityRef>?) throws(ConfigErrors) -> BackupFiles {
        var backups: [Backup] = []
        try ConfigFolder(root: configDirectory, folder: BackupFile.folder, suffixes: [".yaml", ".yml"]).eachDocument {
            source, root throws(ConfigError) in
            let base = URL(fileURLWithPath: configDirectory + "/" + source.file).deletingLastPathComponent().standardizedFileURL.path
            for backup in try BackupFile.parse(root, entities: entities, exists: { FileManager.default.fileExists(atPath: $0) }, base: base) {
                if let other = backups.first(where: { $0.name == backup.name }) {
                    throw ConfigError(
                        file: source.file, line: backup.line, field: "name",
                        message: "a second backup named '\(backup.name)' (first in \(other.file))")
                }
                backups.append(backup)
            }
        }
        return BackupFiles(backups: backups)
    }
}
