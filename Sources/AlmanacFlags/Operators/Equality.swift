import AlmanacConfig

/// `==` and `===`. Loose equality follows the reference evaluator: numbers (and booleans) compare
/// by value, text converts to a number against a number, null equals only null, 0 and the empty list.
extension Interpreter {
    static func looseEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.array, .array), (.object, .object): return false  // distinct objects are never equal
        default: break
        }
        if Coercion.isNumeric(a) { return Coercion.double(a) == Coercion.double(b) }
        if Coercion.isNumeric(b) { return Coercion.double(a) == Coercion.double(b) }
        switch (a, b) {
        case (.null, _), (_, .null): return false
        case (.string(let s), .array), (.string(let s), .object): return s == Coercion.string(b)
        case (.array, .string(let s)), (.object, .string(let s)): return Coercion.string(a) == s
        default: return false
        }
    }

    static func strictEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return Coercion.double(a) == Coercion.double(b)
        default:
            return a == b
        }
    }
}
