/// A parsed config document that remembers the file, line and field path of every value,
/// so that validation in any domain can report `file:line: field: message`.
public struct ConfigNode: Sendable {
    /// A member of a mapping, in file order.
    public struct Member: Sendable {
        public var key: String
        public var value: ConfigNode

        public init(key: String, value: ConfigNode) {
            self.key = key
            self.value = value
        }
    }

    public enum Content: Sendable {
        case scalar(JSONValue)
        case sequence([ConfigNode])
        case mapping([Member])
    }

    public var content: Content
    public var file: String
    public var line: Int
    /// Dotted path from the document root, e.g. `flags.new-checkout.variants`.
    public var path: String

    public init(content: Content, file: String, line: Int, path: String) {
        self.content = content
        self.file = file
        self.line = line
        self.path = path
    }

    /// The member with this key, when this is a mapping.
    public subscript(key: String) -> ConfigNode? {
        guard case .mapping(let members) = content else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The members in file order, or nil when this is not a mapping.
    public var members: [Member]? {
        if case .mapping(let m) = content { return m }
        return nil
    }

    /// The elements, or nil when this is not a sequence.
    public var elements: [ConfigNode]? {
        if case .sequence(let e) = content { return e }
        return nil
    }

    /// The scalar, or nil when this is a mapping or sequence.
    public var scalar: JSONValue? {
        if case .scalar(let v) = content { return v }
        return nil
    }

    /// The string, when this is a string scalar.
    public var string: String? { scalar?.stringValue }

    /// This node and everything below it as plain JSON.
    public var json: JSONValue {
        switch content {
        case .scalar(let v): return v
        case .sequence(let items): return .array(items.map(\.json))
        case .mapping(let members):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for member in members { object[member.key] = member.value.json }
            return .object(object)
        }
    }

    /// An error located at this node.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, field: path, message: message)
    }

    /// The type of this node, for error messages.
    public var typeName: String {
        switch content {
        case .scalar(let v): return v.typeName
        case .sequence: return "array"
        case .mapping: return "object"
        }
    }
}

extension ConfigNode {
    /// Refuses a node that is not a map, or that has a field outside `allowed` (a misspelt
    /// field is an error naming it, never silently ignored).
    public func onlyFields(_ allowed: Set<String>) throws(ConfigError) {
        guard let members else { throw error("must be a map") }
        for member in members where !allowed.contains(member.key) {
            throw member.value.error("unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
