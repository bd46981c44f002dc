import AlmanacConfig

/// Backstage's placeholders: a mapping whose only key is `$text`, `$json` or `$yaml` takes the
/// content of the file it names, relative to the descriptor. Other `$` keys (a JSON Schema's
/// `$ref`) are left alone, as Backstage leaves them.
enum Placeholders {
    static let keys: Set<String> = ["$text", "$json", "$yaml"]

    static func placeholder(_ node: ConfigNode) -> (key: String, value: ConfigNode)? {
        guard let members = node.members, members.count == 1, keys.contains(members[0].key) else { return nil }
        return (members[0].key, members[0].value)
    }

    /// The repository files the placeholders under `node` name: these are content, not entities.
    static func targets(in node: ConfigNode) -> [String] {
        if let (_, value) = placeholder(node) {
            guard let text = value.string, case .inside(let path) = RepositoryPath.resolve(text, from: node.file) else { return [] }
            return [path]
        }
        switch node.content {
        case .scalar: return []
        case .sequence(let items): return items.flatMap(targets)
        case .mapping(let members): return members.flatMap { targets(in: $0.value) }
        }
    }

    static func contains(_ node: ConfigNode) -> Bool {
        if placeholder(node) != nil { return true }
        switch node.content {
        case .scalar: return false
        case .sequence(let items): return items.contains(where: contains)
        case .mapping(let members): return members.contains { contains($0.value) }
        }
    }

    /// `node` with every placeholder replaced by its file's content.
    static func substitute(_ node: ConfigNode, source: some CatalogSource, problems: inout Problems) -> ConfigNode {
        if let (key, value) = placeholder(node) {
            // A failed placeholder is reported once, not again as the field's wrong type.
            return resolve(node, key, value, source, &problems)
                ?? ConfigNode(content: .scalar(.string("")), file: node.file, line: node.line, path: node.path)
        }
        var copy = node
        switch node.content {
        case .scalar: return node
        case .sequence(let items): copy.content = .sequence(items.map { substitute($0, source: source, problems: &problems) })
        case .mapping(let members):
            copy.content = .mapping(members.map { .init(key: $0.key, value: substitute($0.value, source: source, problems: &problems)) })
        }
        return copy
    }

    private static func resolve(
        _ node: ConfigNode, _ key: String, _ value: ConfigNode, _ source: some CatalogSource, _ problems: inout Problems
    ) -> ConfigNode? {
        guard let target = value.string else {
            problems.errors.append(value.error("\(key) takes a path relative to this file"))
            return nil
        }
        let path: String
        switch RepositoryPath.resolve(target, from: node.file) {
        case .outside:
            problems.errors.append(value.error("'\(target)' is outside the config repository"))
            return nil
        case .url(let url):
            problems.warnings.append(value.error("'\(url)' is not fetched: Almanac reads only the config repository's files"))
            return ConfigNode(content: .scalar(.string(url)), file: node.file, line: node.line, path: node.path)
        case .inside(let inside): path = inside
        }
        let text: String
        do throws(ConfigError) {
            guard let found = try source.text(of: path) else {
                problems.errors.append(value.error("'\(target)' names \(path), which does not exist"))
                return nil
            }
            text = found
        } catch {
            problems.errors.append(value.error("'\(target)': \(error.description)"))
            return nil
        }
        if key == "$text" { return ConfigNode(content: .scalar(.string(text)), file: node.file, line: node.line, path: node.path) }
        do throws(ConfigError) {
            let documents = try ConfigDocument.parseAll(text, file: path)
            guard documents.count == 1, var content = documents.first else {
                problems.errors.append(value.error("'\(target)' must hold exactly one document, not \(documents.count)"))
                return nil
            }
            content.path = node.path
            return content
        } catch {
            problems.errors.append(error)
            return nil
        }
    }
}

/// Errors, which stop a load, and warnings, which are shown with what loaded.
struct Problems {
    var errors: [ConfigError] = []
    var warnings: [ConfigError] = []
}
