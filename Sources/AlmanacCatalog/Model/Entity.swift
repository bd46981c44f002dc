import AlmanacConfig

/// How much a service matters, in the three levels Open Food Facts' workshop named.
public enum Tier: String, Sendable, Hashable, CaseIterable, Comparable {
    case criticalForUs = "critical-for-us"
    case criticalForOthers = "critical-for-others"
    case peripheral

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
    public var annotations: [String: String] = [:]
    public var type: String?
    public var lifecycle: String?
    /// An API's definition (OpenAPI, AsyncAPI, GraphQL…), often pulled in with `$text`.
    public var definition: String?
    /// Where an API without a definition is served (an MCP server's URL).
    public var remotes: [String] = []

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
    /// A User's `spec.profile.email`, which sign-in matches as Backstage's resolvers do.
    public var email: String?

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

/// A validated catalogue: every reference resolves, no dependency cycle. Lookups the reports
/// make per service (people, members, dependants) are indexed once here, so reports on
/// thousands of entities stay linear.
public struct Catalog: Sendable {
    public let entities: [EntityRef: Entity]
    private let byKind: [EntityKind: [Entity]]
    /// Components and resources, in reference order.
    public let services: [Entity]
    public let people: [Entity]
    private let directMembers: [EntityRef: Set<EntityRef>]
    private let subgroups: [EntityRef: Set<EntityRef>]
    private let dependantsIndex: [EntityRef: [EntityRef]]
    /// What loaded but deserves a look: plugin kinds, skipped documents, locations not read.
    public var warnings: [ConfigError] = []
    /// Every file the catalogue was read from, descriptors and placeholder content: what a
    /// reload watches.
    public var files: [String] = []
    /// Folders a location's glob lists, where a new file may be a new descriptor.
    public var folders: [String] = []

    public init(entities: [EntityRef: Entity]) {
        self.entities = entities
        let sorted = entities.values.sorted { $0.ref < $1.ref }
        byKind = Dictionary(grouping: sorted, by: \.ref.kind)
        services = sorted.filter(\.isService)
        people = byKind[.user] ?? []
        var members: [EntityRef: Set<EntityRef>] = [:]
        var subgroups: [EntityRef: Set<EntityRef>] = [:]
        var dependants: [EntityRef: [EntityRef]] = [:]
        for entity in sorted {
            for group in entity.memberOf { members[group, default: []].insert(entity.ref) }
            if entity.ref.kind == .group {
                members[entity.ref, default: []].formUnion(entity.members)
                subgroups[entity.ref, default: []].formUnion(entity.children)
                if let parent = entity.parent { subgroups[parent, default: []].insert(entity.ref) }
            }
            for target in entity.dependsOn + (entity.subcomponentOf.map { [$0] } ?? []) { dependants[target, default: []].append(entity.ref) }
        }
        directMembers = members
        self.subgroups = subgroups
        dependantsIndex = dependants
    }

    public subscript(ref: EntityRef) -> Entity? { entities[ref] }

    public func all(_ kind: EntityKind) -> [Entity] { byKind[kind] ?? [] }

    /// People in `group` and its sub-groups: those whose `memberOf` names it and those it lists.
    public func members(of group: EntityRef) -> [Entity] {
        var out: Set<EntityRef> = []
        var pending = [group]
        var seen: Set<EntityRef> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            out.formUnion(directMembers[next] ?? [])
            pending += subgroups[next] ?? []
        }
        return out.compactMap { entities[$0] }.sorted { $0.ref < $1.ref }
    }

    /// Whom to call for `entity`: its owner if a person, else the owning group's members.
    public func contacts(for entity: Entity) -> [Entity] {
        guard let owner = entity.owner else { return [] }
        if owner.kind == .user { return entities[owner].map { [$0] } ?? [] }
        return members(of: owner)
    }

    /// Entities that depend on `ref` (directly), or are its subcomponents.
    public func dependants(of ref: EntityRef) -> [Entity] {
        Array(Set(dependantsIndex[ref] ?? [])).compactMap { entities[$0] }.sorted { $0.ref < $1.ref }
    }
}
