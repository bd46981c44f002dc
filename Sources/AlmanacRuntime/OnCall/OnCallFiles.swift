import AlmanacCatalog
import AlmanacConfig
import AlmanacOnCall
import Foundation

/// The rotations of `oncall/*.yaml`, checked against the catalogue's people and groups, with
/// each person's availability read from the catalogue.
public struct OnCallFiles: Sendable {
    public var rotations: [Rotation]
    /// Escalation policies, checked against every file's rotations.
    public var policies: [EscalationPolicy]
    /// Where e-mail goes out, when a file says.
    public var email: EmailSettings?
    /// How each person in the catalogue is reached.
    public var contacts: [String: Contact]
    /// Each Group's members, for broadcasts to a rotation's team.
    public var teams: [String: [String]]
    /// Person → availability; people whose text is not understood are left out (always available).
    public var availability: [String: Weekly]
    /// Availability texts not understood, by person, so the page can say so.
    public var unreadAvailability: [String: String]

    public static func load(configDirectory root: String, catalog: Catalog) throws -> OnCallFiles {
        let hasCatalog = !catalog.people.isEmpty
        let people: ((String) -> [String]?)? =
            hasCatalog
            ? { group in
                let ref = EntityRef(kind: .group, name: group)
                return catalog[ref] == nil ? nil : catalog.members(of: ref).filter { $0.ref.kind == .user }.map(\.ref.name)
            } : nil
        let names = Set(catalog.people.map(\.ref.name))
        let knows: ((String) -> Bool)? = hasCatalog ? { names.contains($0) } : nil
        var rotations: [Rotation] = []
        try ConfigFolder(root: root, folder: RotationFile.folder, suffixes: [".yaml", ".yml"]).eachDocument { source, document throws(ConfigError) in
            try document.onlyFields(["rotations", "escalations", "email"])
            for rotation in try RotationFile.parse(document, people: people, knows: knows) {
                if let other = rotations.first(where: { $0.name == rotation.name }) {
                    throw ConfigError(
                        file: source.file, line: rotation.line, field: "name",
                        message: "a second rotation named '\(rotation.name)' (first in \(other.file))")
                }
                rotations.append(rotation)
            }
        }
        var policies: [EscalationPolicy] = []
        var email: EmailSettings?
        try ConfigFolder(root: root, folder: RotationFile.folder, suffixes: [".yaml", ".yml"]).eachDocument { source, document throws(ConfigError) in
            if let settings = try EmailSettings.parse(document) {
                if email != nil, email != settings {
                    throw ConfigError(file: source.file, line: 0, field: "email", message: "a second, different e-mail relay")
                }
                email = settings
            }
            for policy in try EscalationFile.parse(document, rotations: rotations) {
                if let other = policies.first(where: { $0.name == policy.name }) {
                    throw ConfigError(
                        file: source.file, line: policy.line, field: "name",
                        message: "a second escalation named '\(policy.name)' (first in \(other.file))")
                }
                policies.append(policy)
            }
        }
        var availability: [String: Weekly] = [:]
        var unread: [String: String] = [:]
        for person in catalog.people {
            guard let text = person.availability else { continue }
            if let window = Availability.parse(text) { availability[person.ref.name] = window } else { unread[person.ref.name] = text }
        }
        let contacts = Dictionary(
            catalog.people.map { person in
                (
                    person.ref.name,
                    Contact(
                        person: person.ref.name, email: person.email, ntfy: person.annotations["almanac.io/ntfy"],
                        webhook: person.annotations["almanac.io/webhook"])
                )
            }
        ) { first, _ in first }
        var teams: [String: [String]] = [:]
        for group in catalog.all(.group) {
            teams[group.ref.name] = catalog.members(of: group.ref).filter { $0.ref.kind == .user }.map(\.ref.name).sorted()
        }
        return OnCallFiles(
            rotations: rotations, policies: policies, email: email, contacts: contacts, teams: teams, availability: availability,
            unreadAvailability: unread)
    }

    /// A person's availability, read in the rotation's zone (the catalogue gives no zone per person).
    public func available(in rotation: Rotation) -> (String) -> (Weekly, TimeZone)? {
        { person in availability[person].map { ($0, rotation.zone) } }
    }

    /// Who holds one layer at a moment, or why nobody does.
    public struct Holder: Sendable, Encodable {
        public var rotation, layer: String
        public var person: String?
        /// When the holder's shift ends.
        public var until: Int64?
        public var override: Bool
        public var gap: String?
    }

    /// Each layer of each rotation at `now`, in file order.
    public func holders(at now: Int64) -> [Holder] {
        rotations.flatMap { rotation in
            let coming = rotation.shifts(from: now, to: now + 31 * 86_400_000, available: available(in: rotation))
            return rotation.layers.map { layer in
                let current = coming.first { $0.layer == layer.name && $0.span.start <= now }
                let gap = current.map { $0.kind == .unavailable ? "\($0.person) is unavailable" : nil } ?? "nobody (outside the layer's hours)"
                return Holder(
                    rotation: rotation.name, layer: layer.name, person: current?.kind == .unavailable ? nil : current?.person,
                    until: current?.span.end, override: current?.kind == .override, gap: gap)
            }
        }
    }
}
