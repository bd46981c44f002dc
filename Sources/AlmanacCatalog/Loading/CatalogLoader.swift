import AlmanacConfig

/// Every mistake found in the catalogue files, each as `file:line: field: message`.
public struct CatalogErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    public init(errors: [ConfigError]) {
        self.errors = errors
    }
}

/// Builds a catalogue from its files: each entity checked, then the whole for duplicates,
/// dangling references and dependency cycles. Nothing half-valid is returned.
public enum CatalogLoader {
    public typealias Document = SourceText

    public static func load(_ documents: [Document]) -> Result<Catalog, CatalogErrors> {
        var errors: [ConfigError] = []
        var entities: [EntityRef: Entity] = [:]
        for document in documents {
            let nodes: [ConfigNode]
            do {
                nodes = try ConfigDocument.parseAll(document.text, file: document.file)
            } catch {
                errors.append(error)
                continue
            }
            for node in nodes where node.members?.isEmpty != true {
                guard let entity = EntityParser.parse(node, errors: &errors) else { continue }
                if let other = entities[entity.ref] {
                    errors.append(
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
                errors.append(ConfigError(file: entity.file, line: entity.line, field: field, message: "\(ref) is not in the catalogue"))
            }
        }
        errors += Cycles.find(entities)
        guard errors.isEmpty else { return .failure(CatalogErrors(errors: errors.sorted { ($0.file, $0.line) < ($1.file, $1.line) })) }
        return .success(Catalog(entities: entities))
    }
}

/// Dependency, subcomponent and group-parent cycles: each makes "what breaks if X breaks" and
/// "who is above whom" endless, so each is an error naming the loop.
enum Cycles {
    static func find(_ entities: [EntityRef: Entity]) -> [ConfigError] {
        let edges: [(String, (Entity) -> [EntityRef])] = [
            ("spec.dependsOn", { $0.dependsOn }), ("spec.subcomponentOf", { $0.subcomponentOf.map { [$0] } ?? [] }),
            ("spec.parent", { $0.parent.map { [$0] } ?? [] }),
        ]
        var errors: [ConfigError] = []
        for (field, next) in edges {
            var state: [EntityRef: Int] = [:]  // 1: on the current path, 2: done
            var stack: [EntityRef] = []
            var reported: Set<Set<EntityRef>> = []
            func visit(_ ref: EntityRef) {
                state[ref] = 1
                stack.append(ref)
                for target in next(entities[ref]!) where entities[target] != nil {
                    if state[target] == 1, let start = stack.firstIndex(of: target) {
                        let loop = Array(stack[start...])
                        if reported.insert(Set(loop)).inserted, let first = loop.min(), let entity = entities[first] {
                            let text = (loop + [target]).map(\.shortText).joined(separator: " → ")
                            errors.append(ConfigError(file: entity.file, line: entity.line, field: field, message: "cycle: \(text)"))
                        }
                    } else if state[target] == nil {
                        visit(target)
                    }
                }
                stack.removeLast()
                state[ref] = 2
            }
            for ref in entities.keys.sorted() where state[ref] == nil { visit(ref) }
        }
        return errors
    }
}
