import AlmanacConfig

/// `if`/`?:`, `and`, `or`: evaluated lazily, returning the deciding operand as JsonLogic does.
extension Interpreter {
    func conditional(_ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        var index = 0
        let last = arguments.count - 1
        while index < last {
            if Coercion.truthy(try evaluate(arguments[index], data: data)) {
                return try evaluate(arguments[index + 1], data: data)
            }
            index += 2
        }
        return index < arguments.count ? try evaluate(arguments[index], data: data) : .null
    }

    func and(_ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        var current: JSONValue = .null
        for argument in arguments {
            current = try evaluate(argument, data: data)
            if !Coercion.truthy(current) { return current }
        }
        return current
    }

    func or(_ arguments: [Expression], data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        var current: JSONValue = .null
        for argument in arguments {
            current = try evaluate(argument, data: data)
            if Coercion.truthy(current) { return current }
        }
        return current
    }
}
