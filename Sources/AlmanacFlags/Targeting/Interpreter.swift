import AlmanacConfig

/// Runs a compiled rule against evaluation data. Each operator family lives in its own file
/// under `Operators/`, as an extension of this type.
public struct Interpreter: Sendable {
    public init() {}

    /// Evaluates `expression` with `data` as the root that `var` reads.
    public func evaluate(_ expression: Expression, data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        switch expression {
        case .literal(let value):
            return value
        case .array(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item, data: data)) }
            return .array(values)
        case .variable(let path, let key, let fallback):
            return try variable(path: path, key: key, fallback: fallback, data: data)
        case .operation(let op, let arguments):
            return try apply(op, arguments, data: data)
        }
    }

    func values(_ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> [JSONValue] {
        var values: [JSONValue] = []
        values.reserveCapacity(arguments.count)
        for argument in arguments { values.append(try evaluate(argument, data: data)) }
        return values
    }

    private func apply(_ op: Operator, _ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        switch op {
        case .if, .ternary: return try conditional(arguments, data: data)
        case .and: return try and(arguments, data: data)
        case .or: return try or(arguments, data: data)
        case .map, .filter, .reduce, .all, .some, .none: return try iterate(op, arguments, data: data)
        default: break
        }
        let args = try values(arguments, data: data)
        switch op {
        case .not: return .bool(!Coercion.truthy(args.first ?? .null))
        case .truthy: return .bool(Coercion.truthy(args.first ?? .null))
        case .equal: return .bool(Self.looseEqual(args.at(0), args.at(1)))
        case .notEqual: return .bool(!Self.looseEqual(args.at(0), args.at(1)))
        case .strictEqual: return .bool(Self.strictEqual(args.at(0), args.at(1)))
        case .strictNotEqual: return .bool(!Self.strictEqual(args.at(0), args.at(1)))
        case .less, .greater, .lessOrEqual, .greaterOrEqual: return .bool(Self.compare(op, args))
        case .add, .subtract, .multiply, .divide, .modulo, .min, .max: return try Self.arithmetic(op, args)
        case .cat: return .string(args.map(Coercion.string).joined())
        case .substr: return Self.substring(args)
        case .in: return .bool(Self.contains(args.at(1), args.at(0)))
        case .merge: return Self.merge(args)
        case .missing: return Self.missing(args, data: data)
        case .missingSome: return Self.missingSome(args, data: data)
        case .var: return Self.lookup(args.at(0), fallback: args.at(1), data: data)
        case .log: return args.at(0)
        case .fractional: return Self.fractional(args, data: data)
        case .semVer: return Self.semVer(args)
        case .startsWith: return Self.compareStrings(args) { $0.hasPrefix($1) }
        case .endsWith: return Self.compareStrings(args) { $0.hasSuffix($1) }
        case .slice: return Self.slice(args, data: data)
        case .if, .ternary, .and, .or, .map, .filter, .reduce, .all, .some, .none:
            preconditionFailure("handled lazily above")
        }
    }
}

extension Array where Element == JSONValue {
    /// The element at `index`, or null past the end, as JsonLogic reads missing arguments.
    func at(_ index: Int) -> JSONValue { index < count ? self[index] : .null }
}
