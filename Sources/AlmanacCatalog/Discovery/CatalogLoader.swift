import AlmanacConfig

/// Every mistake found in the catalogue files, each as `file:line: field: message`: the same
/// list every config domain reports, so reloads and commands show them one a line.
public typealias CatalogErrors = ConfigErrors

/// Builds a catalogue from its files as Backstage finds them: the seed files, every file a
/// `Location` names (paths and globs), and the files `$text`, `$json` and `$yaml` pull into a
/// field. Each entity is checked, then the whole for duplicates, dangling references and
/// cycles. Nothing half-valid is returned.
public enum CatalogLoader {
    public typealias Document = SourceText

    /// Every document given is a seed, read from memory.
    public static func load(_ documents: [Document]) -> Result<Catalog, CatalogErrors> {
        let texts = Dictionary(documents.map { ($0.file, $0.text) }, uniquingKeysWith: { first, _ in first })
        return load(from: MemorySource(texts), seeds: documents.map(\.file))
    }

    public static func load(from source: some CatalogSource, seeds: [String]) -> Result<Catalog, CatalogErrors> {
        var discovery = Discovery(source: source)
        for seed in seeds { discovery.visit(seed, from: nil, optional: false) }
        discovery.findLocationCycles()
        return discovery.build()
    }
}
