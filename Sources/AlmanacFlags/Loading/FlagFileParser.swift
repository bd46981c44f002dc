import AlmanacConfig
import AlmanacExperiments

/// A flag as written in a file, before an environment is chosen.
struct FlagDefinition: Sendable {
    var key: String
    var node: ConfigNode
    var base: FlagSettings
    var environments: [String: FlagSettings]
    var type: FlagType
    var variants: [String: JSONValue]
    var metadata: [String: JSONValue]
    var owner: String?
    var description: String?
    var expires: String?
    var evaluators: [String: ConfigNode]
    var experiment: ExperimentSpec?
    var ramp: RampSpec?
}

/// The fields an environment may override.
struct FlagSettings: Sendable {
    var state: FlagState?
    var defaultVariant: String??
    var targeting: ConfigNode??
    var scopes: [ScopeRule]?
}

/// Parses one flag file in flagd's flag-definition format, plus Almanac's fields
/// (`owner`, `expires`, `description`, `scopes`, `environments`, `experiment`, `ramp`).
enum FlagFileParser {
    static let flagFields: Set<String> = [
        "state", "variants", "defaultVariant", "targeting", "metadata", "owner", "expires", "description",
        "scopes", "environments", "experiment", "ramp",
    ]
    static let environmentFields: Set<String> = ["state", "defaultVariant", "targeting", "scopes"]

    /// Every flag of the document, and the flag-set metadata; errors are collected, not thrown one by one.
    static func parse(_ root: ConfigNode, errors: inout [ConfigError]) -> (flags: [FlagDefinition], metadata: [String: JSONValue]) {
        guard let members = root.members else {
            errors.append(root.error("a flag file must be an object with 'flags'"))
            return ([], [:])
        }
        for member in members where !["flags", "$evaluators", "metadata", "$schema"].contains(member.key) {
            errors.append(member.value.error("unknown top-level field (expected flags, $evaluators, metadata, $schema)"))
        }
        var evaluators: [String: ConfigNode] = [:]
        if let node = root["$evaluators"] {
            if let named = node.members {
                for member in named { evaluators[member.key] = member.value }
            } else {
                errors.append(node.error("must be an object of named rules"))
            }
        }
        let metadata = parseMetadata(root["metadata"], errors: &errors)
        guard let flagsNode = root["flags"] else {
            errors.append(root.error("missing 'flags'"))
            return ([], metadata)
        }
        guard let flagMembers = flagsNode.members else {
            errors.append(flagsNode.error("must be an object of flags"))
            return ([], metadata)
        }
        var flags: [FlagDefinition] = []
        for member in flagMembers {
            do throws(ConfigError) {
                flags.append(try parseFlag(member.key, member.value, evaluators: evaluators))
            } catch {
                errors.append(error)
            }
        }
        return (flags, metadata)
    }

    static func parseMetadata(_ node: ConfigNode?, errors: inout [ConfigError]) -> [String: JSONValue] {
        guard let node else { return [:] }
        guard let members = node.members else {
            errors.append(node.error("must be an object"))
            return [:]
        }
        var out: [String: JSONValue] = [:]
        for member in members {
            switch member.value.scalar {
            case .bool?, .int?, .double?, .string?: out[member.key] = member.value.scalar
            default: errors.append(member.value.error("metadata values must be a boolean, number or string"))
            }
        }
        return out
    }

    private static func parseFlag(_ key: String, _ node: ConfigNode, evaluators: [String: ConfigNode]) throws(ConfigError) -> FlagDefinition {
        guard !key.isEmpty else { throw node.error("flag keys must not be empty") }
        guard let members = node.members else { throw node.error("a flag must be an object") }
        for member in members where !flagFields.contains(member.key) {
            throw member.value.error("unknown field (expected one of \(flagFields.sorted().joined(separator: ", ")))")
        }
        guard let variantsNode = node["variants"] else { throw node.error("missing 'variants'") }
        let (type, variants) = try parseVariants(variantsNode)
        let base = try parseSettings(node, variants: variants, required: true)
        var environments: [String: FlagSettings] = [:]
        if let envNode = node["environments"] {
            guard let envMembers = envNode.members else { throw envNode.error("must map environment names to overrides") }
            for member in envMembers {
                guard let fields = member.value.members else { throw member.value.error("must be an object of overrides") }
                for field in fields where !environmentFields.contains(field.key) {
                    throw field.value.error("an environment may override only \(environmentFields.sorted().joined(separator: ", "))")
                }
                environments[member.key] = try parseSettings(member.value, variants: variants, required: false)
            }
        }
        var errors: [ConfigError] = []
        let metadata = parseMetadata(node["metadata"], errors: &errors)
        if let first = errors.first { throw first }
        var expires: String?
        if let expiresNode = node["expires"] {
            guard let text = expiresNode.string, DayStamp(text) != nil else { throw expiresNode.error("must be a date as YYYY-MM-DD") }
            expires = text
        }
        let experiment = try node["experiment"].map { node throws(ConfigError) in try ExperimentSpec.parse(node, variants: Array(variants.keys)) }
        let ramp = try node["ramp"].map { ramp throws(ConfigError) in
            try RampSpec.parse(ramp, variants: Array(variants.keys), defaultVariant: base.defaultVariant ?? nil)
        }
        return FlagDefinition(
            key: key, node: node, base: base, environments: environments, type: type, variants: variants,
            metadata: metadata, owner: try optionalString(node["owner"]), description: try optionalString(node["description"]),
            expires: expires, evaluators: evaluators, experiment: experiment, ramp: ramp)
    }

    private static func optionalString(_ node: ConfigNode?) throws(ConfigError) -> String? {
        guard let node else { return nil }
        guard let text = node.string else { throw node.error("must be a string") }
        return text
    }

    private static func parseSettings(_ node: ConfigNode, variants: [String: JSONValue], required: Bool) throws(ConfigError) -> FlagSettings {
        var settings = FlagSettings()
        if let stateNode = node["state"] {
            guard let text = stateNode.string, let state = FlagState(rawValue: text) else {
                throw stateNode.error("must be ENABLED or DISABLED")
            }
            settings.state = state
        } else if required {
            throw node.error("missing 'state' (ENABLED or DISABLED)")
        }
        if let defaultNode = node["defaultVariant"] {
            if defaultNode.scalar == .null || defaultNode.scalar == .string("") {
                settings.defaultVariant = .some(nil)
            } else {
                guard let name = ScopeCompiler.variantName(defaultNode.scalar) else { throw defaultNode.error("must be a variant name") }
                guard variants[name] != nil else {
                    throw defaultNode.error("unknown variant '\(name)' (variants: \(variants.keys.sorted().joined(separator: ", ")))")
                }
                settings.defaultVariant = .some(name)
            }
        }
        if let targetingNode = node["targeting"] {
            guard targetingNode.members != nil || targetingNode.scalar == .null else {
                throw targetingNode.error("must be a JsonLogic object")
            }
            settings.targeting = .some(targetingNode.members?.isEmpty == false ? targetingNode : nil)
        }
        if let scopesNode = node["scopes"] {
            let rules = try ScopeCompiler.parse(scopesNode)
            for (i, rule) in rules.enumerated() where variants[rule.variant] == nil {
                throw ConfigError(
                    file: scopesNode.file, line: scopesNode.elements?[i].line ?? scopesNode.line, field: "\(scopesNode.path)[\(i)].variant",
                    message: "unknown variant '\(rule.variant)'")
            }
            settings.scopes = rules
        }
        return settings
    }

    /// Variants must share one type; a float flag's whole numbers become doubles so they serialise as floats.
    private static func parseVariants(_ node: ConfigNode) throws(ConfigError) -> (FlagType, [String: JSONValue]) {
        guard let members = node.members, !members.isEmpty else { throw node.error("must be a non-empty object of named values") }
        var type: FlagType?
        var variants: [String: JSONValue] = [:]
        for member in members {
            let value = member.value.json
            let memberType: FlagType
            switch value {
            case .bool: memberType = .boolean
            case .string: memberType = .string
            case .int: memberType = .integer
            case .double(let d):
                guard d.isFinite else { throw member.value.error("numbers must be finite") }
                memberType = .float
            case .object, .array: memberType = .object
            case .null: throw member.value.error("a variant value must not be null")
            }
            switch (type, memberType) {
            case (nil, _): type = memberType
            case (.integer?, .float), (.float?, .integer): type = .float
            case (let t?, let m) where t == m: break
            case (let t?, let m):
                throw member.value.error("variant is \(m.rawValue) but earlier variants are \(t.rawValue); all variants of a flag share one type")
            }
            variants[member.key] = value
        }
        let flagType = type ?? .object
        if flagType == .float {
            for (name, value) in variants { if case .int(let i) = value { variants[name] = .double(Double(i)) } }
        }
        return (flagType, variants)
    }
}
