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

    /// The directory the flag files live in.
    public var flagsDirectory: String {
        var isDirectory: ObjCBool = false
        let nested = root + "/flags"
        return FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue ? nested : root
    }

    /// Flag file paths relative to the repository root, sorted. Without a `flags/` folder only the
    /// root's own files count, so other domains' folders (monitoring/, catalog/) are never read as flags.
    public func flagFiles() -> [String] {
        let base = flagsDirectory
        let nested = base != root
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [String] = []
        while let entry = walker.nextObject() as? String {
            if !nested, entry.contains("/") { continue }
            let lower = entry.lowercased()
            guard lower.hasSuffix(".json") || lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { continue }
            if entry.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            files.append(entry)
        }
        return files.sorted().map { nested ? "flags/" + $0 : $0 }
    }

    /// The files' contents; an unreadable file becomes an error naming it.
    public func documents() -> (documents: [FlagLoader.Document], unreadable: [String]) {
        var documents: [FlagLoader.Document] = []
        var unreadable: [String] = []
        for file in flagFiles() {
            let path = root + "/" + file
            // Refuse before reading, so a runaway file cannot exhaust memory.
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > ConfigDocument.maximumBytes {
                unreadable.append("\(file): file is \(size) bytes, more than the limit of \(ConfigDocument.maximumBytes)")
                continue
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                unreadable.append("\(file): cannot be read as UTF-8 text")
                continue
            }
            documents.append(FlagLoader.Document(file: file, text: text))
        }
        return (documents, unreadable)
    }

    /// Changes whenever a flag file is added, removed or modified.
    public func fingerprint() -> String {
        flagFiles().map { file -> String in
            let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + file)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let size = attributes?[.size] as? Int ?? -1
            return "\(file):\(modified):\(size)"
        }.joined(separator: "|")
    }

    /// Loads and validates every flag file for `environment`.
    public func load(environment: String?) -> Result<FlagSet, ConfigErrorList> {
        let (documents, unreadable) = documents()
        if !unreadable.isEmpty { return .failure(ConfigErrorList(lines: unreadable)) }
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
