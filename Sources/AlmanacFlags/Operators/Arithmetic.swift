import AlmanacConfig

/// `+ - * / %`, `min`, `max`. Integers stay integers (falling back to floats on overflow) so that
/// `{"+": [1, 2]}` gives 3, not 3.0; division always gives a float; dividing by zero fails the rule.
extension Interpreter {
    static func arithmetic(_ op: Operator, _ args: [JSONValue]) throws(EvaluationFailure) -> JSONValue {
        switch op {
        case .add: return args.reduce(Coercion.Number.int(0)) { combine($0, Coercion.number($1), +, Int64.addingReportingOverflow) }.json
        case .multiply: return args.reduce(Coercion.Number.int(1)) { combine($0, Coercion.number($1), *, Int64.multipliedReportingOverflow) }.json
        case .subtract:
            let a = Coercion.number(args.at(0))
            if args.count < 2 || args[1] == .null { return combine(.int(0), a, -, Int64.subtractingReportingOverflow).json }
            return combine(a, Coercion.number(args[1]), -, Int64.subtractingReportingOverflow).json
        case .divide:
            let divisor = Coercion.double(args.at(1))
            if divisor == 0 { throw EvaluationFailure("division by zero") }
            return .double(Coercion.double(args.at(0)) / divisor)
        case .modulo:
            return try modulo(Coercion.number(args.at(0)), Coercion.number(args.at(1)))
        case .min, .max:
            // The reference hands back the winning operand itself when it is already numeric
            // (a boolean stays a boolean), and the converted number otherwise.
            guard !args.isEmpty else { return .double(.nan) }
            let operands = args.map { Coercion.isNumeric($0) ? $0 : Coercion.number($0).json }
            var best = operands[0]
            for n in operands.dropFirst() {
                let (x, y) = (Coercion.double(n), Coercion.double(best))
                if op == .min ? x < y : x > y { best = n }
            }
            return best
        default:
            preconditionFailure("not arithmetic: \(op)")
        }
    }

    private static func combine(
        _ a: Coercion.Number, _ b: Coercion.Number,
        _ floating: (Double, Double) -> Double,
        _ checked: (Int64) -> (Int64) -> (partialValue: Int64, overflow: Bool)
    ) -> Coercion.Number {
        if case .int(let x) = a, case .int(let y) = b {
            let result = checked(x)(y)
            if !result.overflow { return .int(result.partialValue) }
        }
        return .double(floating(a.double, b.double))
    }

    /// Python's modulo: the result takes the divisor's sign.
    private static func modulo(_ a: Coercion.Number, _ b: Coercion.Number) throws(EvaluationFailure) -> JSONValue {
        if b.double == 0 { throw EvaluationFailure("modulo by zero") }
        if case .int(let x) = a, case .int(let y) = b, !(x == .min && y == -1) {
            let r = x % y
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        }
        let x = a.double
        let y = b.double
        let r = x.truncatingRemainder(dividingBy: y)
        return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
    }
}
