import AlmanacConfig

/// Compiles JsonLogic from a located config node, so a mistake deep in a rule is reported
/// at its own line, and substitutes `$ref`s to shared `$evaluators`.
public struct RuleCompiler {
    /// Named rules from `$evaluators`, reachable with `{"$ref": "name"}`.
    public var evaluators: [String: ConfigNode]
    /// What flagd accepts and evaluates to null or to PARSE_ERROR, found while compiling.
    public private(set) var warnings: [ConfigError] = []
    /// The first `$ref` to a missing evaluator in what was compiled; that targeting cannot run.
    public private(set) var missingEvaluator: String?
    private var expanding: [String] = []

    public init(evaluators: [String: ConfigNode] = [:]) {
        self.evaluators = evaluators
    }

    /// Compiles one rule.
    public mutating func compile(_ node: ConfigNode) throws(ConfigError) -> Expression {
        switch node.content {
        case .scalar(let value):
            return .literal(value)
        case .sequence(let items):
            var compiled: [Expression] = []
            compiled.reserveCapacity(items.count)
            for item in items { compiled.append(try compile(item)) }
            return .array(compiled)
        case .mapping(let members):
            // JsonLogic treats an object that is not exactly one operator as plain data.
            guard members.count == 1, let member = members.first else { return .literal(node.json) }
            if member.key == "$ref" { return try reference(member.value) }
            guard let op = Operator(rawValue: member.key) else {
                throw node.error("unknown operator '\(member.key)'")
            }
            let argumentNodes = member.value.elements ?? [member.value]
            var arguments: [Expression] = []
            arguments.reserveCapacity(argumentNodes.count)
            for argument in argumentNodes { arguments.append(try compile(argument)) }
            try check(op, arguments: arguments, at: node)
            if op == .var, let first = arguments.first, case .literal(let key) = first {
                return .variable(path: Self.split(key), key: key, fallback: arguments.count > 1 ? arguments[1] : nil)
            }
            return .operation(op, arguments)
        }
    }

    private mutating func reference(_ node: ConfigNode) throws(ConfigError) -> Expression {
        guard let name = node.string else { throw node.error("$ref must name an evaluator") }
        guard let target = evaluators[name] else {
            // flagd loads the set and answers PARSE_ERROR for this flag only.
            warnings.append(node.error("unknown evaluator '\(name)' in $ref (the flag answers PARSE_ERROR)"))
            if missingEvaluator == nil { missingEvaluator = name }
            return .literal(.null)
        }
        if expanding.contains(name) {
            throw node.error("$ref cycle: \((expanding + [name]).joined(separator: " -> "))")
        }
        expanding.append(name)
        defer { expanding.removeLast() }
        return try compile(target)
    }

    /// Catches mistakes that would otherwise only show as a silent default at run time. Those
    /// flagd tolerates (the operator returns null) are warnings; the rest are errors.
    private mutating func check(_ op: Operator, arguments: [Expression], at node: ConfigNode) throws(ConfigError) {
        switch op {
        case .semVer:
            if arguments.count != 3 {
                warnings.append(node.error("sem_ver takes 3 arguments, got \(arguments.count) (it evaluates to null)"))
            } else if case .literal(.string(let comparison)) = arguments[1], !["=", "!=", "<", "<=", ">", ">=", "^", "~"].contains(comparison) {
                warnings.append(node.error("sem_ver has no comparison '\(comparison)' (it evaluates to null)"))
            }
        case .startsWith, .endsWith:
            if arguments.count != 2 {
                warnings.append(node.error("\(op.rawValue) takes 2 arguments, got \(arguments.count) (it evaluates to null)"))
            }
        case .fractional:
            if arguments.isEmpty { throw node.error("fractional needs at least one variant") }
        case .slice:
            if arguments.isEmpty || arguments.count > 2 { throw node.error("slice takes a percentage and an optional bucketing value") }
        default:
            break
        }
    }

    /// A `var` key as path components; numbers index arrays, as JsonLogic allows.
    static func split(_ key: JSONValue) -> [String] {
        switch key {
        case .string(let s): return s.isEmpty ? [] : s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        case .null: return []
        default: return [Coercion.string(key)]
        }
    }
}
