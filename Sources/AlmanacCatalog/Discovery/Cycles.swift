import AlmanacConfig

/// Loops in a directed graph, found by one depth-first walk: each loop once (whatever node it
/// is entered from), with the edge that closes it. Entity relations and locations both use it.
enum Loops {
    static func find<Node: Hashable, Edge>(from roots: [Node], next: (Node) -> [(node: Node, edge: Edge)]) -> [(loop: [Node], closing: Edge)] {
        var state: [Node: Int] = [:]  // 1: on the current path, 2: done
        var stack: [Node] = []
        var reported: Set<Set<Node>> = []
        var found: [(loop: [Node], closing: Edge)] = []
        func visit(_ node: Node) {
            state[node] = 1
            stack.append(node)
            for (target, edge) in next(node) {
                if state[target] == 1, let start = stack.firstIndex(of: target) {
                    let loop = Array(stack[start...])
                    if reported.insert(Set(loop)).inserted { found.append((loop, edge)) }
                } else if state[target] == nil {
                    visit(target)
                }
            }
            stack.removeLast()
            state[node] = 2
        }
        for root in roots where state[root] == nil { visit(root) }
        return found
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
            let loops = Loops.find(from: entities.keys.sorted()) { ref in
                next(entities[ref]!).filter { entities[$0] != nil }.map { (node: $0, edge: ()) }
            }
            for (loop, _) in loops {
                guard let first = loop.min(), let entity = entities[first] else { continue }
                let text = (loop + [loop[0]]).map(\.shortText).joined(separator: " → ")
                errors.append(ConfigError(file: entity.file, line: entity.line, field: field, message: "cycle: \(text)"))
            }
        }
        return errors
    }
}
