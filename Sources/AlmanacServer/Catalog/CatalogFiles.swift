import AlmanacCatalog
import AlmanacConfig
import Foundation
import Logging

/// The catalogue in `catalog/` of the config repository: every YAML file under it, any depth.
public enum CatalogFiles {
    public static func load(configDirectory: String) throws -> Catalog {
        let root = configDirectory + "/catalog"
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var documents: [CatalogLoader.Document] = []
        for file in files {
            let path = root + "/" + file
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > ConfigDocument.maximumBytes {
                throw ConfigError(file: "catalog/" + file, line: 0, field: "", message: "file is \(size) bytes, more than the limit of \(ConfigDocument.maximumBytes)")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: "catalog/" + file, line: 0, field: "", message: "cannot be read as UTF-8 text")
            }
            documents.append(CatalogLoader.Document(file: "catalog/" + file, text: text))
        }
        return try CatalogLoader.load(documents).get()
    }
}

/// The catalogue currently in force.
public typealias CatalogConfig = ReloadingFiles<Catalog>

extension ReloadingFiles where Value == Catalog {
    public convenience init(configDirectory: String, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folder: "catalog", logger: logger) { try CatalogFiles.load(configDirectory: $0) }
    }
}

extension MonitoringFiles {
    /// Service names the rules and targets mention: what the catalogue's monitoring check reads.
    public var serviceNames: Set<String> {
        Set(rules.compactMap(\.service) + targets.flatMap { $0.labels.filter { $0.name == "service" }.map(\.value) })
    }
}
