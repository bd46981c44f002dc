import AlmanacConfig
import AlmanacFlags
import Foundation

/// Reads flag files from a config repository: every `.json`, `.yaml` and `.yml` file under
/// `flags/` (or under the directory itself when it has no `flags/`), in path order.
public struct ConfigRepository: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// `flags/` when there is one; otherwise only the root's own files count, so other domains'
    /// folders (monitoring/, catalog/) are never read as flags.
    public var folder: ConfigFolder {
        var isDirectory: ObjCBool = false
        let nested = FileManager.default.fileExists(atPath: root + "/flags", isDirectory: &isDirectory) && isDirectory.boolValue
        return ConfigFolder(root: root, folder: nested ? "flags" : "", suffixes: [".json", ".yaml", ".yml"], recursive: nested)
    }

    /// Flag file paths relative to the repository root, sorted.
    public func flagFiles() -> [String] { folder.files() }

    /// Loads and validates every flag file for `environment`; every problem, located.
    public func load(environment: String?) -> Result<FlagSet, ConfigErrors> {
        do throws(ConfigErrors) {
            return FlagLoader.load(try folder.documents(), environment: environment)
        } catch {
            return .failure(error)
        }
    }
}
