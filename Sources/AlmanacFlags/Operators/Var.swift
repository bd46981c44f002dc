import AlmanacConfig

/// `var`: reads the data by dotted path; numbers index arrays and strings; `length` of an
/// array or string is its size, as in JavaScript.
extension Interpreter {
    func variable(path: [String], key: JSONValue, fallback: Expression?, data: JSONValue) throws(EvaluationFailure) -> JSONValue {
        if Coercion.isNumeric(key) {
            return Self.lookup(key, fallback: try fallback.map { e throws(EvaluationFailure) in try evaluate(e, data: data) } ?? .null, data: data)
        }
        if let found = Self.walk(path, in: data) { return found }
        guard let fallback else { return .null }
        return try evaluate(fallback, data: data)
    }

    static func lookup(_ key: JSONValue, fallback: JSONValue, data: JSONValue) -> JSONValue {
        switch key {
        case .null: return data
        case .string(let s) where s.isEmpty: return data
        case .int, .double, .bool:
            let number = Coercion.double(key)
            switch data {
            case .array(let items):
                guard let index = Int(exactly: number), index >= 0, index < items.count else { return fallback }
                return items[index]
            case .string(let s):
                let scalars = Array(s.unicodeScalars)
                guard let index = Int(exactly: number), index >= 0, index < scalars.count else { return fallback }
                return .string(String(scalars[index]))
            default:
                return fallback
            }
        default:
            return walk(RuleCompiler.split(key), in: data) ?? fallback
        }
    }

    /// Follows a path; nil when a step is missing or the value found is null.
    static func walk(_ path: [String], in data: JSONValue) -> JSONValue? {
        var current = data
        for step in path {
            switch current {
            case .object(let members):
                guard let next = members[step] else { return nil }
                current = next
            case .array(let items):
                if step == "length" { return .int(Int64(items.count)) }
                guard let index = Int(step), String(index) == step, index >= 0, index < items.count else { return nil }
                current = items[index]
            case .string(let s):
                let scalars = Array(s.unicodeScalars)
                if step == "length" { return .int(Int64(scalars.count)) }
                guard let index = Int(step), String(index) == step, index >= 0, index < scalars.count else { return nil }
                current = .string(String(scalars[index]))
            default:
                return nil
            }
        }
        if case .null = current { return nil }
        return current
    }
}
