import AlmanacConfig

/// Where the catalogue's files come from: the config repository on disk, or memory in tests.
public protocol CatalogSource: Sendable {
    /// A file's text, by path relative to the repository root; nil when there is no such file.
    func text(of path: String) throws(ConfigError) -> String?
    /// Files under `directory` (relative, "" for the root), at any depth, sorted.
    func files(under directory: String) -> [String]
}

/// Files held in memory, for tests and benchmarks.
public struct MemorySource: CatalogSource {
    public var documents: [String: String]

    public init(_ documents: [String: String]) {
        self.documents = documents
    }

    public func text(of path: String) throws(ConfigError) -> String? { documents[path] }

    public func files(under directory: String) -> [String] {
        documents.keys.filter { directory.isEmpty || $0.hasPrefix(directory + "/") }.sorted()
    }
}

/// Paths inside the config repository, as locations and placeholders name them: relative to
/// the file that names them, never leaving the repository.
public enum RepositoryPath {
    public enum Resolved: Equatable, Sendable {
        case inside(String)
        /// An `http(s)://` address: Almanac reads only the repository's own files.
        case url(String)
        case outside
    }

    /// `target` read from `file`: `./apis/x.yaml`, `../teams.yaml` and `apis/*.yaml` are
    /// relative to `file`'s folder; absolute paths and `..` above the root are outside.
    public static func resolve(_ target: String, from file: String) -> Resolved {
        if target.contains("://") { return .url(target) }
        if target.hasPrefix("/") || target.isEmpty { return .outside }
        var parts = file.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if parts.isEmpty { return .outside }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.isEmpty ? .outside : .inside(parts.joined(separator: "/"))
    }

    public static func fileName(_ path: String) -> Substring { path.split(separator: "/").last ?? Substring(path) }
}

/// A location's glob, as Backstage's file reader (node-glob) reads it: `*` and `?` within one
/// folder name, `**` across any number of folders, `{a,b}` alternatives; names starting with a
/// dot only when the pattern spells the dot.
// Written here because Glibc's glob() has no `**` and Foundation offers none on Linux.
public struct Glob: Sendable {
    let alternatives: [[Substring]]

    public init(_ pattern: String) {
        alternatives = Self.expand(pattern).map { $0.split(separator: "/") }
    }

    public static func hasMagic(_ text: String) -> Bool { text.contains { "*?{[".contains($0) } }

    /// The folder below which every match lies: where to list files.
    public var directory: String {
        let prefixes = alternatives.map { Array($0.prefix { !Self.hasMagic(String($0)) }) }
        var common = prefixes.first ?? []
        for other in prefixes.dropFirst() { common = Array(zip(common, other).prefix { $0 == $1 }.map(\.0)) }
        if let first = alternatives.first, !common.isEmpty, common.count == first.count { common.removeLast() }
        return common.joined(separator: "/")
    }

    public func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return alternatives.contains { Self.match($0[...], parts[...]) }
    }

    static func match(_ pattern: ArraySlice<Substring>, _ path: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            var rest = path
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                guard let next = rest.first, !next.hasPrefix(".") else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let name = path.first, matchName(Array(head.unicodeScalars)[...], Array(name.unicodeScalars)[...]) else { return false }
        if name.hasPrefix(".") && !head.hasPrefix(".") { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    static func matchName(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let head = pattern.first else { return name.isEmpty }
        switch head {
        case "*":
            var rest = name
            while true {
                if matchName(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case "?": return !name.isEmpty && matchName(pattern.dropFirst(), name.dropFirst())
        default: return name.first == head && matchName(pattern.dropFirst(), name.dropFirst())
        }
    }

    /// `a{b,c}d` → `abd`, `acd`; nested braces expand from the inside out.
    static func expand(_ pattern: String) -> [String] {
        let chars = Array(pattern)
        guard let close = chars.firstIndex(of: "}"), let open = chars[..<close].lastIndex(of: "{") else { return [pattern] }
        let before = String(chars[..<open])
        let after = String(chars[(close + 1)...])
        return chars[(open + 1)..<close].split(separator: ",", omittingEmptySubsequences: false).flatMap { expand(before + String($0) + after) }
    }
}
