import AlmanacConfig

/// An entity's kind: one of Backstage's core kinds, or one a Backstage plugin adds (`MCP`,
/// `Template`). Kinds compare without case, as Backstage's references spell them in any case.
public struct EntityKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The spelling pages show: the core spelling, or the one the descriptor used.
    public let rawValue: String

    public static let component = EntityKind(core: "Component")
    public static let system = EntityKind(core: "System")
    public static let resource = EntityKind(core: "Resource")
    public static let api = EntityKind(core: "API")
    public static let group = EntityKind(core: "Group")
    public static let user = EntityKind(core: "User")
    public static let domain = EntityKind(core: "Domain")
    public static let location = EntityKind(core: "Location")

    /// The kinds Backstage's catalogue model defines, whose fields Almanac checks.
    public static let core: [EntityKind] = [.component, .system, .resource, .api, .group, .user, .domain, .location]

    private init(core name: String) { rawValue = name }

    /// Any kind: a core kind in its own spelling whatever the case, another as written.
    public init?(caseInsensitive text: String) {
        guard let first = text.unicodeScalars.first, CharacterClass.letters.contains(first),
            text.unicodeScalars.allSatisfy({ CharacterClass.letters.contains($0) || CharacterClass.digits.contains($0) })
        else { return nil }
        rawValue = Self.core.first { $0.rawValue.lowercased() == text.lowercased() }?.rawValue ?? text
    }

    public var isCore: Bool { Self.core.contains(self) }
    public var description: String { rawValue }

    public static func == (a: EntityKind, b: EntityKind) -> Bool { a.rawValue.lowercased() == b.rawValue.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.lowercased()) }
    public static func < (a: EntityKind, b: EntityKind) -> Bool { a.rawValue.lowercased() < b.rawValue.lowercased() }
}

/// `kind:namespace/name`, as Backstage writes entity references.
public struct EntityRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: EntityKind
    public var namespace: String
    public var name: String

    public init(kind: EntityKind, namespace: String = "default", name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(kind.rawValue.lowercased()):\(namespace)/\(name)" }

    /// `name` alone in the default namespace, as pages and reports show it.
    public var shortText: String { namespace == "default" ? name : "\(namespace)/\(name)" }

    /// Parses `[kind:][namespace/]name`; a missing kind takes `defaultKind`, or is an error where
    /// the field has none (Backstage's `dependsOn`).
    public static func parse(_ text: String, defaultKind: EntityKind?, defaultNamespace: String) -> Result<EntityRef, RefProblem> {
        var rest = Substring(text)
        var kind = defaultKind
        if let colon = rest.firstIndex(of: ":") {
            guard let parsed = EntityKind(caseInsensitive: String(rest[..<colon])) else {
                return .failure(RefProblem("'\(text)' names an unknown kind '\(rest[..<colon])'"))
            }
            kind = parsed
            rest = rest[rest.index(after: colon)...]
        }
        guard let kind else { return .failure(RefProblem("'\(text)' must name its kind, as in resource:\(text)")) }
        var namespace = defaultNamespace
        if let slash = rest.firstIndex(of: "/") {
            namespace = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        let name = String(rest)
        guard Names.isValidName(name), Names.isValidNamespace(namespace) else {
            return .failure(RefProblem("'\(text)' is not a valid entity reference"))
        }
        return .success(EntityRef(kind: kind, namespace: namespace, name: name))
    }

    public static func < (a: EntityRef, b: EntityRef) -> Bool { (a.kind, a.namespace, a.name) < (b.kind, b.namespace, b.name) }
}

public struct RefProblem: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}

/// Backstage's rules for names, namespaces and tags.
public enum Names {
    /// 1 to 63 characters: letters and digits, separated by single `-`, `_` or `.`.
    public static func isValidName(_ text: String) -> Bool {
        guard (1...63).contains(text.count) else { return false }
        var previousSeparator = true
        for c in text.unicodeScalars {
            let isAlphanumeric = c.isASCII && (CharacterClass.letters.contains(c) || CharacterClass.digits.contains(c))
            if isAlphanumeric {
                previousSeparator = false
            } else if c == "-" || c == "_" || c == "." {
                if previousSeparator { return false }
                previousSeparator = true
            } else {
                return false
            }
        }
        return !previousSeparator
    }

    /// A DNS label: lowercase letters and digits separated by dashes, at most 63 characters.
    public static func isValidNamespace(_ text: String) -> Bool {
        guard (1...63).contains(text.count), let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        let allowed = text.unicodeScalars.allSatisfy { c in c == "-" || CharacterClass.lowercase.contains(c) || CharacterClass.digits.contains(c) }
        return allowed && first != "-" && last != "-"
    }

    /// Lowercase letters, digits and `:+#`, separated by single dashes, at most 63 characters.
    public static func isValidTag(_ text: String) -> Bool {
        guard (1...63).contains(text.count), !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else { return false }
        return text.unicodeScalars.allSatisfy { c in
            c == "-" || c == ":" || c == "+" || c == "#" || CharacterClass.lowercase.contains(c) || CharacterClass.digits.contains(c)
        }
    }
}

enum CharacterClass {
    static let lowercase = Set("abcdefghijklmnopqrstuvwxyz".unicodeScalars)
    static let letters = lowercase.union(Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars))
    static let digits = Set("0123456789".unicodeScalars)
}

extension EntityRef {
    /// A file's reference to a catalogue entity (`resource:products-db`, or a bare name of
    /// `defaultKind`), refused with its line when it does not parse or, given the catalogue's
    /// entities, names none of them.
    public static func read(_ node: ConfigNode, defaultKind: EntityKind, known: Set<EntityRef>?) throws(ConfigError) -> EntityRef {
        guard let text = node.string else { throw node.error("must be an entity reference such as resource:products-db") }
        let entity: EntityRef
        switch parse(text, defaultKind: defaultKind, defaultNamespace: "default") {
        case .success(let ref): entity = ref
        case .failure(let problem): throw node.error("\(problem)")
        }
        if let known, !known.contains(entity) { throw node.error("unknown entity '\(text)' (not in the catalogue)") }
        return entity
    }
}
