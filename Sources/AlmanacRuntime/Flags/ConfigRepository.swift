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

    /// Loads and validates every flag file for `environment`.
    public func load(environment: String?) -> Result<FlagSet, ConfigErrorList> {
        let documents: [SourceText]
        do throws(ConfigErrors) {
            documents = try folder.documents()
        } catch {
            return .failure(ConfigErrorList(lines: error.errors.map(\.description)))
        }
        switch FlagLoader.load(documents, environment: environment) {
        case .success(let set): return .success(set)
        case .failure(let errors): return .failure(ConfigErrorList(lines: errors.errors.map(\.description)))
        }
    }
}

/// Load errors as lines of `file:line: field: message`.
public struct ConfigErrorList: Error, Sendable, CustomStringConvertible {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}
