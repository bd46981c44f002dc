/// How much a service matters, in the three levels Open Food Facts' workshop named.
public enum Tier: String, Sendable, Hashable, CaseIterable, Comparable {
    case criticalForUs = "critical-for-us", criticalForOthers = "critical-for-others", peripheral

    public var isCritical: Bool { self != .peripheral }
    public static func < (a: Tier, b: Tier) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// How well a person masters a technology.
public enum SkillLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case learning, practised, expert

    /// Practised or expert: someone who can fix it alone.
    public var canHandle: Bool { self != .learning }
    public static func < (a: SkillLevel, b: SkillLevel) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

public struct EntityLink: Sendable, Hashable {
    public var url: String
    public var title: String?
}

/// One entity of the catalogue: Backstage's fields that Almanac uses, and Almanac's own.
public struct Entity: Sendable {
    public var ref: EntityRef
    public var title: String?
    public var description: String?
    public var tags: [String] = []
    public var links: [EntityLink] = []
    public var type: String?
    public var lifecycle: String?

    // Backstage's relations.
    public var owner: EntityRef?
    public var system: EntityRef?
    public var domain: EntityRef?
    public var dependsOn: [EntityRef] = []
    public var subcomponentOf: EntityRef?
    public var providesApis: [EntityRef] = []
    public var consumesApis: [EntityRef] = []
    public var memberOf: [EntityRef] = []
    public var parent: EntityRef?
    public var children: [EntityRef] = []
    public var members: [EntityRef] = []

    // Almanac's fields, under `spec`.
    public var tier: Tier?
    public var technologies: [String] = []
    public var servers: [String] = []
    public var runbook: String?
    public var skills: [String: SkillLevel] = [:]
    public var availability: String?

    public var file: String
    public var line: Int

    public init(ref: EntityRef, file: String, line: Int) {
        self.ref = ref
        self.file = file
        self.line = line
    }

    /// Components and resources: what runs, and what the reports are about.
    public var isService: Bool { ref.kind == .component || ref.kind == .resource }

    /// Every reference this entity makes, with the field that makes it.
    public var references: [(field: String, ref: EntityRef)] {
        var out: [(String, EntityRef)] = []
        if let owner { out.append(("spec.owner", owner)) }
        if let system { out.append(("spec.system", system)) }
        if let domain { out.append(("spec.domain", domain)) }
        if let subcomponentOf { out.append(("spec.subcomponentOf", subcomponentOf)) }
        if let parent { out.append(("spec.parent", parent)) }
        out += dependsOn.map { ("spec.dependsOn", $0) } + providesApis.map { ("spec.providesApis", $0) }
        out += consumesApis.map { ("spec.consumesApis", $0) } + memberOf.map { ("spec.memberOf", $0) }
        out += children.map { ("spec.children", $0) } + members.map { ("spec.members", $0) }
        return out
    }
}

/// A validated catalogue: every reference resolves, no dependency cycle.
public struct Catalog: Sendable {
    public let entities: [EntityRef: Entity]

    public init(entities: [EntityRef: Entity]) {
        self.entities = entities
    }

    public subscript(ref: EntityRef) -> Entity? { entities[ref] }

    public func all(_ kind: EntityKind) -> [Entity] {
        entities.values.filter { $0.ref.kind == kind }.sorted { $0.ref < $1.ref }
    }

    public var services: [Entity] { entities.values.filter(\.isService).sorted { $0.ref < $1.ref } }
    public var people: [Entity] { all(.user) }

    /// People in `group`: those whose `memberOf` names it and those it lists, then its sub-groups'.
    public func members(of group: EntityRef) -> [Entity] {
        var out: Set<EntityRef> = []
        var pending = [group], seen: Set<EntityRef> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let entity = entities[next] else { continue }
            out.formUnion(entity.members)
            out.formUnion(people.filter { $0.memberOf.contains(next) }.map(\.ref))
            pending += entity.children + all(.group).filter { $0.parent == next }.map(\.ref)
        }
        return out.compactMap { entities[$0] }.sorted { $0.ref < $1.ref }
    }

    /// Whom to call for `entity`: its owner if a person, else the owning group's members.
    public func contacts(for entity: Entity) -> [Entity] {
        guard let owner = entity.owner else { return [] }
        if owner.kind == .user { return entities[owner].map { [$0] } ?? [] }
        return members(of: owner)
    }

    /// Entities that depend on `ref` (directly).
    public func dependants(of ref: EntityRef) -> [Entity] {
        entities.values.filter { $0.dependsOn.contains(ref) || $0.subcomponentOf == ref }.sorted { $0.ref < $1.ref }
    }
}
