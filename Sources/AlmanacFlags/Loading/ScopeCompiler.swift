import AlmanacConfig

/// Reads `scopes:` from a flag file and compiles them into the same JsonLogic engine,
/// as an `if` chain in front of the flag's own targeting.
enum ScopeCompiler {
    static func parse(_ node: ConfigNode) throws(ConfigError) -> [ScopeRule] {
        guard let items = node.elements else { throw node.error("must be a list of rules") }
        var rules: [ScopeRule] = []
        for item in items {
            guard let members = item.members else { throw item.error("a scope rule must be an object") }
            var conditions: [ScopeRule.Condition] = []
            var variant: String?
            var prefix: String?
            var attribute: String?
            for member in members {
                let value = member.value
                switch member.key {
                case "variant":
                    guard let name = variantName(value.scalar) else { throw value.error("must be a variant name") }
                    variant = name
                case "environment": conditions.append(.environment(try names(value)))
                case "team": conditions.append(.team(try names(value)))
                case "user": conditions.append(.user(try names(value)))
                case "slice":
                    guard let v = value.scalar, v.isNumber, case let percent = Coercion.double(v), percent >= 0, percent <= 100 else {
                        throw value.error("must be a percentage from 0 to 100")
                    }
                    conditions.append(.slice(percent: percent))
                case "attribute":
                    guard let name = value.string, !name.isEmpty else { throw value.error("must be an attribute name") }
                    attribute = name
                case "prefix":
                    guard let text = value.string else { throw value.error("must be a string") }
                    prefix = text
                default:
                    throw value.error("unknown scope field '\(member.key)' (expected environment, team, user, slice, attribute, prefix, variant)")
                }
            }
            switch (attribute, prefix) {
            case (let a?, let p?): conditions.append(.attributePrefix(attribute: a, prefix: p))
            case (nil, nil): break
            default: throw item.error("attribute and prefix go together")
            }
            guard let variant else { throw item.error("a scope rule needs a variant") }
            if conditions.isEmpty { throw item.error("a scope rule needs a condition") }
            rules.append(ScopeRule(conditions: conditions, variant: variant))
        }
        return rules
    }

    /// Whole names only: `in` with a string haystack would match substrings (qa in qa-leads).
    /// A team string must be one of the names; a list of teams must hold one of them.
    static func teamTest(_ names: [String]) -> Expression {
        let team = Expression.variable(path: ["team"], key: "team", fallback: nil)
        let listed = Expression.literal(.array(names.map { .string($0) }))
        let element = Expression.variable(path: [], key: "", fallback: nil)
        return .operation(.or, [.operation(.in, [team, listed]), .operation(.some, [team, .operation(.in, [element, listed])])])
    }

    /// The `if` chain: each rule that can match in `environment` becomes a condition and its variant;
    /// the flag's own targeting (or null, for the default variant) is the last branch.
    static func compile(_ rules: [ScopeRule], environment: String?, fallback: Expression?) -> Expression? {
        var branches: [Expression] = []
        for rule in rules {
            var tests: [Expression] = []
            var possible = true
            for condition in rule.conditions {
                switch condition {
                case .environment(let names):
                    possible = possible && environment.map(names.contains) == true
                case .team(let names):
                    tests.append(teamTest(names))
                case .user(let names):
                    let user = Expression.variable(path: ["targetingKey"], key: "targetingKey", fallback: nil)
                    tests.append(.operation(.in, [user, .literal(.array(names.map { .string($0) }))]))
                case .slice(let percent):
                    tests.append(.operation(.slice, [.literal(.double(percent))]))
                case .attributePrefix(let attribute, let prefix):
                    let value = Expression.variable(path: RuleCompiler.split(.string(attribute)), key: .string(attribute), fallback: nil)
                    tests.append(.operation(.startsWith, [value, .literal(.string(prefix))]))
                }
            }
            guard possible else { continue }
            branches.append(tests.isEmpty ? .literal(.bool(true)) : .operation(.and, tests))
            branches.append(.literal(.string(rule.variant)))
        }
        guard !branches.isEmpty else { return fallback }
        branches.append(fallback ?? .literal(.null))
        return .operation(.if, branches)
    }

    private static func names(_ node: ConfigNode) throws(ConfigError) -> [String] {
        if let single = node.string { return [single] }
        guard let items = node.elements, !items.isEmpty else { throw node.error("must be a name or a list of names") }
        var out: [String] = []
        for item in items {
            guard let name = item.string else { throw item.error("must be a string") }
            out.append(name)
        }
        return out
    }

    /// Variant names are strings; YAML turns `on`/`off`-like names into booleans, which name "true"/"false".
    static func variantName(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }
}
