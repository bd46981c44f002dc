import AlmanacConfig

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
