import AlmanacConfig

/// `<`, `>`, `<=`, `>=`, with JsonLogic's three-argument "between" form.
extension Interpreter {
    static func compare(_ op: Operator, _ args: [JSONValue]) -> Bool {
        let a = args.at(0)
        let b = args.at(1)
        let c = args.at(2)
        if case .null = c { return compare(op, a, b) }
        return compare(op, a, b) && compare(op, b, c)
    }

    private static func compare(_ op: Operator, _ a: JSONValue, _ b: JSONValue) -> Bool {
        if Coercion.isNumeric(a) || Coercion.isNumeric(b) {
            return order(op, Coercion.double(a), Coercion.double(b))
        }
        if case .string(let x) = a { return order(op, x, Coercion.string(b)) }
        if case .string(let y) = b { return order(op, Coercion.string(a), y) }
        return order(op, Coercion.double(a), Coercion.double(b))
    }

    private static func order(_ op: Operator, _ x: Double, _ y: Double) -> Bool {
        switch op {
        case .less: return x < y
        case .greater: return x > y
        case .lessOrEqual: return x <= y
        default: return x >= y
        }
    }

    private static func order(_ op: Operator, _ x: String, _ y: String) -> Bool {
        switch op {
        case .less: return Coercion.less(x, y)
        case .greater: return Coercion.less(y, x)
        case .lessOrEqual: return !Coercion.less(y, x)
        default: return !Coercion.less(x, y)
        }
    }
}
