import AlmanacConfig

/// One load's walk through the repository: which files were read, which a location named,
/// which locations name which files.
struct Discovery<Source: CatalogSource> {
    let source: Source
    /// Files in the order they were found.
    private(set) var order: [String] = []
    private var documents: [String: [ConfigNode]] = [:]
    private var unreadable: [String: ConfigError] = [:]
    /// Files a location named: every document in them must be an entity.
    private var named: Set<String> = []
    /// Location file → the files it names, with the target that names each.
    private var edges: [String: [(file: String, at: ConfigNode)]] = [:]
    /// Folders a glob lists: a file added there may be a new descriptor.
    private var globFolders: Set<String> = []
    var problems = Problems()

    init(source: Source) {
        self.source = source
    }

    mutating func visit(_ file: String, from origin: ConfigNode?, optional: Bool) {
        if origin != nil { named.insert(file) }
        guard documents[file] == nil, unreadable[file] == nil else { return }
        let text: String
        do throws(ConfigError) {
            guard let found = try source.text(of: file) else {
                if let origin, !optional { problems.errors.append(origin.error("\(file) does not exist")) }
                return
            }
            text = found
        } catch {
            order.append(file)
            unreadable[file] = error
            return
        }
        order.append(file)
        do throws(ConfigError) {
            let nodes = try ConfigDocument.parseAll(text, file: file)
            documents[file] = nodes
            for node in nodes where node["kind"]?.string?.lowercased() == "location" { follow(node, in: file) }
        } catch {
            unreadable[file] = error
        }
    }

    /// A location's targets: relative paths or globs inside the repository.
    private mutating func follow(_ location: ConfigNode, in file: String) {
        guard let spec = location["spec"] else { return }
        let optional = spec["presence"]?.string == "optional"
        if let type = spec["type"]?.string, type != "file", type != "url" {
            problems.warnings.append(spec["type"]!.error("a '\(type)' location is not read: Almanac reads the config repository's files"))
            return
        }
        var targets = spec["target"].map { [$0] } ?? []
        if let list = spec["targets"] {
            if let items = list.elements { targets += items } else { problems.errors.append(list.error("must be a list of paths")) }
        }
        for target in targets {
            guard let text = target.string else {
                problems.errors.append(target.error("must be a path relative to this file"))
                continue
            }
            switch RepositoryPath.resolve(text, from: file) {
            case .outside: problems.errors.append(target.error("'\(text)' is outside the config repository"))
            case .url(let url): problems.warnings.append(target.error("'\(url)' is not read: Almanac reads only the config repository's files"))
            case .inside(let path) where Glob.hasMagic(path):
                let glob = Glob(path)
                globFolders.insert(glob.directory)
                // A glob that matches the location's own file is how Backstage layouts say "every file here".
                let matches = source.files(under: glob.directory).filter { $0 != file && glob.matches($0) }
                if matches.isEmpty { problems.warnings.append(target.error("'\(text)' matches no file")) }
                for match in matches {
                    edges[file, default: []].append((match, target))
                    visit(match, from: target, optional: true)
                }
            case .inside(let path):
                edges[file, default: []].append((path, target))
                visit(path, from: target, optional: optional)
            }
        }
    }

    /// A location that leads back to itself, directly or through others, is an error naming the loop.
    mutating func findLocationCycles() {
        let edges = self.edges
        for (loop, closing) in Loops.find(from: order, next: { file in (edges[file] ?? []).map { (node: $0.file, edge: $0.at) } }) {
            problems.errors.append(closing.error("location cycle: " + (loop + [loop[0]]).joined(separator: " → ")))
        }
    }

    /// Backstage's conventional names for descriptor files.
    static func isDescriptorName(_ file: String) -> Bool {
        let name = RepositoryPath.fileName(file)
        return ["catalog-info.yaml", "catalog-info.yml"].contains(name) || name.hasSuffix(".catalog-info.yaml") || name.hasSuffix(".catalog-info.yml")
    }

    static func isEntity(_ node: ConfigNode) -> Bool { node["apiVersion"] != nil || node["kind"] != nil }

    /// The entities of every file that holds descriptors, placeholders filled in.
    mutating func build() -> Result<Catalog, CatalogErrors> {
        var content: Set<String> = []
        for file in order { for node in documents[file] ?? [] where Self.isEntity(node) { content.formUnion(Placeholders.targets(in: node)) } }
        var entities: [EntityRef: Entity] = [:]
        for file in order {
            let descriptors = named.contains(file) || Self.isDescriptorName(file)
            if content.contains(file) && !descriptors { continue }
            if let error = unreadable[file] {
                problems.errors.append(error)
                continue
            }
            for node in documents[file] ?? [] where node.members?.isEmpty != true {
                guard Self.isEntity(node) else {
                    if descriptors {
                        problems.errors.append(node.error("missing 'apiVersion' and 'kind': every document of a descriptor file must be an entity"))
                    } else {
                        problems.warnings.append(node.error("skipped: not an entity (no apiVersion or kind), and no location names this file"))
                    }
                    continue
                }
                // Most descriptors have no placeholder: they are not copied.
                let filled = Placeholders.contains(node) ? Placeholders.substitute(node, source: source, problems: &problems) : node
                guard let entity = EntityParser.parse(filled, errors: &problems.errors, warnings: &problems.warnings) else { continue }
                if let other = entities[entity.ref] {
                    problems.errors.append(
                        ConfigError(
                            file: entity.file, line: entity.line, field: "metadata.name",
                            message: "\(entity.ref) is already defined at \(other.file):\(other.line)"))
                    continue
                }
                entities[entity.ref] = entity
            }
        }
        for entity in entities.values.sorted(by: { ($0.file, $0.line) < ($1.file, $1.line) }) {
            for (field, ref) in entity.references where entities[ref] == nil {
                problems.errors.append(ConfigError(file: entity.file, line: entity.line, field: field, message: "\(ref) is not in the catalogue"))
            }
        }
        problems.errors += Cycles.find(entities)
        let byPlace: (ConfigError, ConfigError) -> Bool = { ($0.file, $0.line) < ($1.file, $1.line) }
        guard problems.errors.isEmpty else { return .failure(CatalogErrors(problems.errors.sorted(by: byPlace))) }
        var catalog = Catalog(entities: entities)
        catalog.warnings = problems.warnings.sorted(by: byPlace)
        var seen: Set<String> = []
        catalog.files = (order + content.sorted()).filter { seen.insert($0).inserted }
        catalog.folders = globFolders.sorted()
        return .success(catalog)
    }
}
