import AlmanacConfig

/// `merge`, `missing`, `missing_some`, and the array operators that run a sub-rule per element
/// (`map`, `filter`, `reduce`, `all`, `some`, `none`), where the element becomes the data.
extension Interpreter {
    static func merge(_ args: [JSONValue]) -> JSONValue {
        var items: [JSONValue] = []
        for arg in args {
            if case .array(let inner) = arg { items.append(contentsOf: inner) } else { items.append(arg) }
        }
        return .array(items)
    }

    static func missing(_ args: [JSONValue], data: JSONValue) -> JSONValue {
        let keys: [JSONValue]
        if case .array(let list) = args.at(0) { keys = list } else { keys = args }
        return .array(
            keys.filter { key in
                let value = lookup(key, fallback: .null, data: data)
                return value == .null || value == .string("")
            })
    }

    static func missingSome(_ args: [JSONValue], data: JSONValue) -> JSONValue {
        guard case .array(let keys) = args.at(1) else { return .array([]) }
        let need = Coercion.double(args.at(0))
        guard case .array(let absent) = missing([.array(keys)], data: data) else { return .array([]) }
        return Double(keys.count - absent.count) >= need ? .array([]) : .array(absent)
    }

    func iterate(_ op: Operator, _ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        let source = arguments.isEmpty ? JSONValue.null : try evaluate(arguments[0], data: data)
        let rule = arguments.count > 1 ? arguments[1] : nil
        guard case .array(let items) = source else {
            switch op {
            case .map, .filter: return .array([])
            case .reduce: return arguments.count > 2 ? try initial(arguments[2], data: data) : .null
            case .all, .some: return .bool(false)
            default: return .bool(true)
            }
        }
        switch op {
        case .map:
            guard let rule else { return .array(items.map { _ in .null }) }
            var out: [JSONValue] = []
            for item in items { out.append(try evaluate(rule, data: item)) }
            return .array(out)
        case .filter:
            guard let rule else { return .array([]) }
            var out: [JSONValue] = []
            for item in items where Coercion.truthy(try evaluate(rule, data: item)) { out.append(item) }
            return .array(out)
        case .reduce:
            var accumulator = arguments.count > 2 ? try initial(arguments[2], data: data) : .null
            for item in items {
                accumulator =
                    try rule.map { rule throws(EvaluationFailure) in
                        try evaluate(rule, data: .object(["current": item, "accumulator": accumulator]))
                    } ?? .null
            }
            return accumulator
        case .all:
            guard let rule, !items.isEmpty else { return .bool(false) }
            for item in items where !Coercion.truthy(try evaluate(rule, data: item)) { return .bool(false) }
            return .bool(true)
        case .some:
            guard let rule else { return .bool(false) }
            for item in items where Coercion.truthy(try evaluate(rule, data: item)) { return .bool(true) }
            return .bool(false)
        default:
            guard let rule else { return .bool(true) }
            for item in items where Coercion.truthy(try evaluate(rule, data: item)) { return .bool(false) }
            return .bool(true)
        }
    }

    /// The reference uses `reduce`'s initial value as written, without evaluating it.
    private func initial(_ expression: Expression, data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        if case .literal(let value) = expression { return value }
        return try evaluate(expression, data: data)
    }
}
