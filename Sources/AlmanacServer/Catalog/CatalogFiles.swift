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
        try CatalogLoader.load(try read(configDirectory, "catalog", [".yaml", ".yml"]).map { CatalogLoader.Document(file: $0.0, text: $0.1) }).get()
    }

    public static func knowledge(configDirectory: String) throws -> Knowledge {
        let catalog = try load(configDirectory: configDirectory)
        let docs = try DocsLoader.load(try read(configDirectory, "docs", [".md"]).map { DocsLoader.Document(file: $0.0, text: $0.1) }, catalog: catalog).get()
        return Knowledge(catalog: catalog, docs: docs)
    }

    /// (path in the repository, text) of every file under `folder` with one of `suffixes`.
    static func read(_ configDirectory: String, _ folder: String, _ suffixes: [String]) throws -> [(String, String)] {
        let root = configDirectory + "/" + folder
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { file in suffixes.contains { file.hasSuffix($0) } }.sorted()
        return try files.map { file in
            let path = root + "/" + file, name = folder + "/" + file
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > ConfigDocument.maximumBytes {
                throw ConfigError(file: name, line: 0, field: "", message: "file is \(size) bytes, more than the limit of \(ConfigDocument.maximumBytes)")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: name, line: 0, field: "", message: "cannot be read as UTF-8 text")
            }
            return (name, text)
        }
    }
}

/// The catalogue and documentation currently in force.
public typealias CatalogConfig = ReloadingFiles<Knowledge>

extension ReloadingFiles where Value == Knowledge {
    public convenience init(configDirectory: String, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folders: ["catalog", "docs"], logger: logger) { try CatalogFiles.knowledge(configDirectory: $0) }
    }
}

extension MonitoringFiles {
    /// Service names the rules and targets mention: what the catalogue's monitoring check reads.
    public var serviceNames: Set<String> {
        Set(rules.compactMap(\.service) + targets.flatMap { $0.labels.filter { $0.name == "service" }.map(\.value) })
    }
}
