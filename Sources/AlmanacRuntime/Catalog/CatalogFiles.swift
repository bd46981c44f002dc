import AlmanacCatalog
import AlmanacConfig
import AlmanacDocs
import Foundation
import Logging

/// What the team knows, as files: the catalogue in `catalog/` and the pages in `docs/`.
public struct Knowledge: Sendable {
    public var catalog: Catalog
    public var docs: [DocPage]
}

/// Reads `catalog/` (YAML, any depth) and `docs/` (Markdown, any depth) of the config repository.
public enum CatalogFiles {
    /// Seeds are the YAML files under `catalog/`; locations and placeholders may reach any file
    /// of the repository.
    public static func load(configDirectory: String) throws -> Catalog {
        let seeds = ConfigFolder(root: configDirectory, folder: "catalog", suffixes: [".yaml", ".yml"]).files()
        return try CatalogLoader.load(from: RepositorySource(root: configDirectory), seeds: seeds).get()
    }

    public static func knowledge(configDirectory: String) throws -> Knowledge {
        let catalog = try load(configDirectory: configDirectory)
        let docs = try DocsLoader.load(try read(configDirectory, "docs", [".md"]), catalog: catalog).get()
        return Knowledge(catalog: catalog, docs: docs)
    }

    static func read(_ configDirectory: String, _ folder: String, _ suffixes: [String]) throws(ConfigErrors) -> [SourceText] {
        try ConfigFolder(root: configDirectory, folder: folder, suffixes: suffixes).documents()
    }
}

/// The config repository's files, as the catalogue reads them: within the size limit, hidden
/// files left out of globs.
struct RepositorySource: CatalogSource {
    let root: String

    func text(of path: String) throws(ConfigError) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { throw ConfigError(file: path, line: 0, field: "", message: "is a folder, not a file") }
        return try ConfigFolder.read(root: root, file: path)
    }

    func files(under directory: String) -> [String] { ConfigFolder(root: root, folder: directory, suffixes: [""]).files() }
}

/// The catalogue and documentation currently in force.
public typealias CatalogConfig = ReloadingFiles<Knowledge>

extension ReloadingFiles where Value == Knowledge {
    public convenience init(configDirectory: String, clock: WallClock, logger: Logger) throws {
        let folders = ["catalog", "docs"].map { ConfigFolder(root: configDirectory, folder: $0, suffixes: [""]) }
        // Locations may name files outside catalog/: a change to one of them is a change too.
        try self.init(
            configDirectory: configDirectory, watching: folders, clock: clock, logger: logger,
            alsoWatching: {
                WatchList(files: $0.catalog.files, folders: $0.catalog.folders)
            }
        ) {
            try CatalogFiles.knowledge(configDirectory: $0)
        }
    }
}

extension MonitoringFiles {
    /// Service names the rules and targets mention: what the catalogue's monitoring check reads.
    public var serviceNames: Set<String> {
        Set(rules.compactMap(\.service) + targets.flatMap { $0.labels.filter { $0.name == "service" }.map(\.value) })
    }
}
