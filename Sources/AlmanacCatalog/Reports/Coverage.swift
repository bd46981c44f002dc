/// Who can handle what: the skills matrix and the gaps in it, for technologies the catalogue's
/// services use. "Can handle" means practised or expert.
public struct Coverage: Sendable {
    public let catalog: Catalog
    /// Technologies used by services, sorted.
    public let technologies: [String]
    private let capableIndex: [String: [Entity]]
    private let learnersIndex: [String: [Entity]]
    private let usersIndex: [String: [Entity]]

    public init(catalog: Catalog) {
        self.catalog = catalog
        technologies = Array(Set(catalog.services.flatMap(\.technologies))).sorted()
        var capable: [String: [Entity]] = [:]
        var learners: [String: [Entity]] = [:]
        var users: [String: [Entity]] = [:]
        for person in catalog.people {
            for (technology, level) in person.skills {
                if level.canHandle { capable[technology, default: []].append(person) } else { learners[technology, default: []].append(person) }
            }
        }
        for service in catalog.services {
            for technology in Set(service.technologies) { users[technology, default: []].append(service) }
        }
        capableIndex = capable
        learnersIndex = learners
        usersIndex = users
    }

    public func level(_ person: Entity, _ technology: String) -> SkillLevel? { person.skills[technology] }

    /// People who can handle `technology`, by name.
    public func capable(_ technology: String, without absent: EntityRef? = nil) -> [Entity] {
        (capableIndex[technology] ?? []).filter { $0.ref != absent }
    }

    public func learners(_ technology: String) -> [Entity] { learnersIndex[technology] ?? [] }

    public func services(using technology: String) -> [Entity] { usersIndex[technology] ?? [] }

    public struct ThinTechnology: Sendable, Equatable {
        public var technology: String
        public var capable: [String]
        public var learning: [String]
        public var services: [String]
    }

    /// Technologies fewer than `minimum` people can handle: where one departure or one holiday
    /// leaves nobody.
    public func thin(minimum: Int = 2) -> [ThinTechnology] {
        technologies.compactMap { technology in
            let capable = capable(technology)
            guard capable.count < minimum else { return nil }
            return ThinTechnology(
                technology: technology, capable: capable.map(\.ref.name), learning: learners(technology).map(\.ref.name),
                services: services(using: technology).map(\.ref.name))
        }
    }

    public struct ServiceAtRisk: Sendable, Equatable {
        public var service: String
        public var tier: Tier
        /// Technology → how many people can handle it, for the thin ones only.
        public var thin: [String: Int]
    }

    /// Critical services with a technology fewer than `minimum` people can handle.
    public func criticalAtRisk(minimum: Int = 2) -> [ServiceAtRisk] {
        catalog.services.compactMap { service in
            guard let tier = service.tier, tier.isCritical else { return nil }
            var thin: [String: Int] = [:]
            for technology in service.technologies {
                let count = capable(technology).count
                if count < minimum { thin[technology] = count }
            }
            return thin.isEmpty ? nil : ServiceAtRisk(service: service.ref.name, tier: tier, thin: thin)
        }
    }

    public struct Loss: Sendable, Equatable {
        public var person: String
        /// Technologies nobody else can handle.
        public var uncovered: [String]
        /// Services using those technologies.
        public var services: [String]
        /// Entities the person owns alone (no group between).
        public var owned: [String]
    }

    /// What the loss of `person` would leave uncovered.
    public func loss(of person: EntityRef) -> Loss {
        let uncovered = technologies.filter { capable($0).contains { $0.ref == person } && capable($0, without: person).isEmpty }
        let services = catalog.services.filter { !Set($0.technologies).isDisjoint(with: uncovered) }.map(\.ref.name)
        let owned = catalog.entities.values.filter { $0.owner == person }.map(\.ref.name).sorted()
        return Loss(person: person.name, uncovered: uncovered, services: services, owned: owned)
    }
}
