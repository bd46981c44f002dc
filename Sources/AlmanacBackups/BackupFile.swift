import AlmanacCatalog
import AlmanacConfig

/// One backup of `backups/*.yaml`: what it backs up, where its copies are and how to read
/// their state, how fresh and how large they must stay, and how to prove one by restoring it.
public struct Backup: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// pg_dump archives (custom format) in a directory, the newest matching `pattern`.
        case postgresDump(directory: String, pattern: String)
        /// A restic repository, its password in an environment variable.
        case restic(repository: String, passwordVariable: String)
        /// Plain files in a directory, the newest matching `pattern`.
        case files(directory: String, pattern: String)
    }

    public var name: String
    public var entity: EntityRef
    public var source: Source
    /// Older than this, the backup is late (`almanac_backup_age_seconds` and the page say so).
    public var maximumAge: Int64
    /// Smaller than the copy before it by more than this fraction: suspicious.
    public var shrink: Double
    public var drill: Drill?
    public var file: String
    public var line: Int

    public var kind: String {
        switch source {
        case .postgresDump: "postgres"
        case .restic: "restic"
        case .files: "files"
        }
    }
}

/// How a restore is proven: how often, and what must hold in what was restored.
public struct Drill: Sendable, Hashable {
    public struct Query: Sendable, Hashable {
        public var sql: String
        /// The first column of the first row must read this…
        public var expect: String?
        /// …or be a number at least this.
        public var atLeast: Double?
    }

    public struct FileCheck: Sendable, Hashable {
        /// Relative to the restored tree (restic, plain files).
        public var path: String
        public var sha256: String?
        public var minimumBytes: Int64?
    }

    public var every: Int64
    public var queries: [Query]
    public var files: [FileCheck]
    /// A restore that takes longer fails (the throwaway place is removed all the same).
    public var timeout: Int64
}

public enum BackupFile {
    public static let folder = "backups"

    /// `exists` says whether a path exists (the loader's file system), to refuse a directory or
    /// repository that is not there; nil skips that check. A relative directory is under `base`
    /// (the folder of the backups' files), so a config repository may carry its own copies.
    public static func parse(
        _ root: ConfigNode, entities: Set<EntityRef>?, exists: ((String) -> Bool)? = nil, base: String? = nil
    ) throws(ConfigError) -> [Backup] {
        try root.onlyFields(["backups"])
        guard let items = root["backups"]?.elements else { throw root.error("missing 'backups' (a list)") }
        var backups: [Backup] = []
        for item in items {
            let backup = try parse(backup: item, entities: entities, exists: exists, base: base)
            if backups.contains(where: { $0.name == backup.name }) { throw item["name"]!.error("a second backup named '\(backup.name)'") }
            backups.append(backup)
        }
        return backups
    }

    static func parse(backup item: ConfigNode, entities: Set<EntityRef>?, exists: ((String) -> Bool)?, base: String?) throws(ConfigError) -> Backup {
        try item.onlyFields(["name", "entity", "postgres_dump", "restic", "files", "max_age", "shrink", "drill"])
        guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
        guard let entityNode = item["entity"] else {
            throw item.error("missing 'entity' (the catalogue resource it backs up, such as resource:products-db)")
        }
        let entity = try EntityRef.read(entityNode, defaultKind: .resource, known: entities)
        let kinds = ["postgres_dump", "restic", "files"].filter { item[$0] != nil }
        guard kinds.count == 1 else { throw item.error("needs exactly one of postgres_dump, restic, files (where the copies are)") }
        let node = item[kinds[0]]!
        let source: Backup.Source
        switch kinds[0] {
        case "restic":
            try node.onlyFields(["repository", "password_env"])
            guard let repository = node["repository"]?.string, repository.hasPrefix("/") else {
                throw (node["repository"] ?? node).error("needs 'repository' (an absolute path)")
            }
            guard let variable = node["password_env"]?.string, !variable.isEmpty else {
                throw node.error("needs 'password_env' (the environment variable holding the repository's password)")
            }
            if let exists, !exists(repository + "/config") {
                throw node["repository"]!.error("\(repository) is not a restic repository (no config file there)")
            }
            source = .restic(repository: repository, passwordVariable: variable)
        default:
            try node.onlyFields(["directory", "pattern"])
            guard let written = node["directory"]?.string, !written.isEmpty, written.hasPrefix("/") || base != nil else {
                throw (node["directory"] ?? node).error("needs 'directory' (an absolute path)")
            }
            let directory = written.hasPrefix("/") ? written : base! + "/" + written
            if let exists, !exists(directory) { throw node["directory"]!.error("\(directory) does not exist") }
            let pattern = node["pattern"]?.string ?? "*"
            source = kinds[0] == "files" ? .files(directory: directory, pattern: pattern) : .postgresDump(directory: directory, pattern: pattern)
        }
        var shrink = 0.2
        if let node = item["shrink"] {
            guard let text = node.string, text.hasSuffix("%"), let percent = Double(text.dropLast()), percent > 0, percent < 100 else {
                throw node.error("must be a percentage such as 20%")
            }
            shrink = percent / 100
        }
        let maximumAge = try DurationText.milliseconds(item["max_age"]) ?? 26 * 3_600_000
        return Backup(
            name: name, entity: entity, source: source, maximumAge: maximumAge, shrink: shrink,
            drill: try item["drill"].map { node throws(ConfigError) in try drill(node, source: source) }, file: item.file, line: item.line)
    }

    static func drill(_ node: ConfigNode, source: Backup.Source) throws(ConfigError) -> Drill {
        try node.onlyFields(["every", "queries", "files", "timeout"])
        guard let every = try DurationText.milliseconds(node["every"]) else { throw node.error("needs 'every' (such as 7d)") }
        var queries: [Drill.Query] = []
        for item in node["queries"]?.elements ?? [] {
            try item.onlyFields(["sql", "expect", "at_least"])
            guard case .postgresDump = source else { throw item.error("queries need a postgres_dump backup") }
            guard let sql = item["sql"]?.string, !sql.isEmpty else { throw item.error("needs 'sql'") }
            let expect = item["expect"].map { $0.string ?? JSONWriter.string($0.scalar ?? .null) }
            let atLeast = try ConfigNumber.read(item["at_least"])
            guard (expect == nil) != (atLeast == nil) else { throw item.error("needs one of 'expect' or 'at_least'") }
            queries.append(.init(sql: sql, expect: expect, atLeast: atLeast))
        }
        var files: [Drill.FileCheck] = []
        for item in node["files"]?.elements ?? [] {
            try item.onlyFields(["path", "sha256", "min_bytes"])
            guard let path = item["path"]?.string, !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw (item["path"] ?? item).error("needs 'path', relative to what was restored")
            }
            if case .postgresDump = source { throw item.error("file checks need a restic or files backup") }
            let sha = item["sha256"]?.string
            if let sha, sha.count != 64 || !sha.allSatisfy(\.isHexDigit) { throw item["sha256"]!.error("must be 64 hexadecimal digits") }
            files.append(.init(path: path, sha256: sha?.lowercased(), minimumBytes: try ConfigNumber.read(item["min_bytes"]).map(Int64.init)))
        }
        guard !queries.isEmpty || !files.isEmpty else { throw node.error("needs 'queries' or 'files': a restore is proven by what it holds") }
        return Drill(every: every, queries: queries, files: files, timeout: try DurationText.milliseconds(node["timeout"]) ?? 3_600_000)
    }
}
