/// What the catalogue says about fragility: services nobody owns or documents or watches, and
/// single points of failure.
public struct Risks: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// Services with nobody to call: no owner, or an owning group with no members left.
    public var withoutOwner: [String] { catalog.services.filter { catalog.contacts(for: $0).isEmpty }.map(\.ref.name) }

    public var withoutRunbook: [String] {
        catalog.services.filter { $0.runbook == nil && !$0.links.contains { ($0.title ?? "").lowercased().contains("runbook") } }.map(\.ref.name)
    }

    /// Services no alert rule or scrape target names (through its `service`); `monitored` are
    /// the service names the monitoring files mention.
    public func withoutMonitoring(monitored: Set<String>) -> [String] {
        catalog.services.filter { !monitored.contains($0.ref.name) }.map(\.ref.name)
    }

    /// Critical services that run on one server only.
    public var onOneServer: [(service: String, server: String)] {
        catalog.services.compactMap { s in
            guard s.tier?.isCritical == true, s.servers.count == 1 else { return nil }
            return (s.ref.name, s.servers[0])
        }
    }

    /// Critical services that depend, directly or through others, on something peripheral:
    /// each with the shortest such chain.
    public var peripheralChains: [[String]] {
        catalog.services.compactMap { start in
            guard start.tier?.isCritical == true else { return nil }
            // Breadth first, so the chain shown is the shortest; parents rebuild it.
            var queue: [EntityRef] = [start.ref]
            var head = 0
            var parent: [EntityRef: EntityRef] = [:]
            var seen: Set<EntityRef> = [start.ref]
            while head < queue.count {
                let current = queue[head]
                head += 1
                for next in catalog[current]?.dependsOn ?? [] where seen.insert(next).inserted {
                    parent[next] = current
                    if catalog[next]?.tier == .peripheral {
                        var chain = [next]
                        var step = next
                        while let previous = parent[step] {
                            chain.append(previous)
                            step = previous
                        }
                        return chain.reversed().map(\.name)
                    }
                    queue.append(next)
                }
            }
            return nil
        }
    }
}
