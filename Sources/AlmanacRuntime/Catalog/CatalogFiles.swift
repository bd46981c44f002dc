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
    public static func load(configDirectory: String) throws -> Catalog {
        try CatalogLoader.load(try read(configDirectory, "catalog", [".yaml", ".yml"])).get()
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

/// The catalogue and documentation currently in force.
public typealias CatalogConfig = ReloadingFiles<Knowledge>

extension ReloadingFiles where Value == Knowledge {
    public convenience init(configDirectory: String, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folders: ["catalog", "docs"], logger: logger) {
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
