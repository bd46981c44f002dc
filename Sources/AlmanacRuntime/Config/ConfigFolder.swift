import AlmanacConfig
import Foundation

/// The one reader of config-repository folders: which files a domain owns (hidden files and
/// folders skipped, sorted by path), their text within the size limit, and a fingerprint that
/// changes when any of them is added, removed or edited.
public struct ConfigFolder: Sendable {
    /// The config repository.
    public let root: String
    /// The folder under `root` (empty for the root itself).
    public let folder: String
    /// File name endings that count, lowercased (`.yaml`).
    public let suffixes: [String]
    /// Whether files in subfolders count.
    public let recursive: Bool

    public init(root: String, folder: String, suffixes: [String], recursive: Bool = true) {
        self.root = root
        self.folder = folder
        self.suffixes = suffixes
        self.recursive = recursive
    }

    private var directory: String { folder.isEmpty ? root : root + "/" + folder }

    /// Paths relative to the repository root, sorted.
    public func files() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let entry = walker.nextObject() as? String {
            if !recursive, entry.contains("/") { continue }
            if entry.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            let lower = entry.lowercased()
            guard suffixes.contains(where: { lower.hasSuffix($0) }) else { continue }
            if let type = walker.fileAttributes?[.type] as? FileAttributeType, type == .typeDirectory { continue }
            files.append(folder.isEmpty ? entry : folder + "/" + entry)
        }
        return files.sorted()
    }

    /// Every file's text; a file too large or not UTF-8 is an error naming it.
    public func documents() throws(ConfigErrors) -> [SourceText] {
        var documents: [SourceText] = []
        var errors: [ConfigError] = []
        for file in files() {
            do throws(ConfigError) {
                documents.append(SourceText(file: file, text: try Self.read(root: root, file: file)))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return documents
    }

    /// Every document parsed and handed to `body`; a mistake in one file (unreadable, not YAML,
    /// or what `body` refuses) is collected and the others still read, so one reload reports
    /// every problem. The folders of config files all load this way.
    public func eachDocument(_ body: (SourceText, ConfigNode) throws(ConfigError) -> Void) throws(ConfigErrors) {
        var errors: [ConfigError] = []
        for source in try documents() {
            do throws(ConfigError) {
                try body(source, try ConfigDocument.parse(source.text, file: source.file))
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
    }

    /// One file's text, refused before reading when it is over the limit, so a runaway file
    /// cannot exhaust memory. A file that cannot be measured (a link to nowhere) or is not a
    /// regular file (a pipe would block the reload) is refused too: the limit is never skipped.
    public static func read(root: String, file: String) throws(ConfigError) -> String {
        let path = root + "/" + file
        // stat(2) follows links, so the limit applies to what a link points at.
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigError(file: file, line: 0, field: "", message: "cannot be read (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ConfigError(file: file, line: 0, field: "", message: "is not a regular file") }
        if info.st_size > ConfigDocument.maximumBytes {
            throw ConfigError(
                file: file, line: 0, field: "", message: "file is \(info.st_size) bytes, more than the limit of \(ConfigDocument.maximumBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: file, line: 0, field: "", message: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: 0, field: "", message: "cannot be read as UTF-8 text")
        }
        return text
    }

    /// Changes whenever one of the files is added, removed or modified.
    public func fingerprint() -> String { Self.fingerprint(root: root, files: files()) }

    /// Changes whenever one of `files` (relative to `root`) appears, disappears or is modified.
    public static func fingerprint(root: String, files: [String]) -> String {
        files.map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + file)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(file):\(modified):\(attributes?[.size] as? Int ?? -1)"
        }.joined(separator: "|")
    }
}
