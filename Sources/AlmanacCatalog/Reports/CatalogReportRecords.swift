/// The catalogue's reports as records for `--format json` and the API: one field per section,
/// typed values instead of table captions.
extension CatalogReport {
    public struct Records: Sendable, Codable, Equatable {
        public struct PersonSkills: Sendable, Codable, Equatable {
            public var person: String
            /// Technology → learning, practised or expert.
            public var skills: [String: String]
        }

        public struct ThinTechnology: Sendable, Codable, Equatable {
            public var technology: String
            public var canHandle: [String]
            public var learning: [String]
            public var usedBy: [String]
        }

        public struct ServiceAtRisk: Sendable, Codable, Equatable {
            public var service: String
            public var tier: String
            /// Thin technology → how many people can handle it.
            public var technologies: [String: Int]
        }

        public struct Service: Sendable, Codable, Equatable {
            public var service: String
            public var owner: String?
            public var server: String?
        }

        public struct Loss: Sendable, Codable, Equatable {
            public var person: String
            public var uncovered: [String]
            public var services: [String]
            public var ownedAlone: [String]
        }

        public var skills: [PersonSkills]
        public var thin: [ThinTechnology]
        public var criticalAtRisk: [ServiceAtRisk]
        public var noOwner: [Service]
        public var noRunbook: [Service]
        public var noMonitoring: [Service]
        public var oneServer: [Service]
        public var singleHostRoles: [SingleHostRole]
        public var peripheralChains: [[String]]
        public var loss: Loss?
    }

    public var records: Records {
        let coverage = Coverage(catalog: catalog)
        let risks = Risks(catalog: catalog)
        return Records(
            skills: catalog.people.map { person in
                Records.PersonSkills(person: person.ref.name, skills: person.skills.mapValues(\.rawValue))
            },
            thin: coverage.thin().map { .init(technology: $0.technology, canHandle: $0.capable, learning: $0.learning, usedBy: $0.services) },
            criticalAtRisk: coverage.criticalAtRisk().map { .init(service: $0.service, tier: $0.tier.rawValue, technologies: $0.thin) },
            noOwner: risks.withoutOwner.map { service in
                .init(service: service, owner: catalog.services.first { $0.ref.name == service }?.owner?.shortText)
            },
            noRunbook: risks.withoutRunbook.map { .init(service: $0) },
            noMonitoring: risks.withoutMonitoring(monitored: monitored).map { .init(service: $0) },
            oneServer: risks.onOneServer.map { .init(service: $0.service, server: $0.server) },
            singleHostRoles: singleHostRoles,
            peripheralChains: risks.peripheralChains,
            loss: absent.map { person in
                let loss = coverage.loss(of: person)
                return Records.Loss(person: person.name, uncovered: loss.uncovered, services: loss.services, ownedAlone: loss.owned)
            })
    }
}
