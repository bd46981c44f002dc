import AlmanacConfig

/// `substr` and `in`. Positions count Unicode scalars, as the reference evaluator counts code points.
extension Interpreter {
    static func substring(_ args: [JSONValue]) -> JSONValue {
        let scalars = Array(Coercion.string(args.at(0)).unicodeScalars)
        let length = scalars.count
        let start: Int
        let index = Coercion.double(args.at(1))
        if index.isNaN {
            start = 0
        } else if index < 0 {
            start = -index >= Double(length) ? 0 : length - Int(-index)
        } else {
            start = index >= Double(length) ? length : Int(index)
        }
        var end = length
        if args.count > 2, args[2] != .null {
            let count = Coercion.double(args[2])
            if count.isNaN {
                end = start
            } else if count < 0 {
                end = -count >= Double(length) ? start : max(length + Int(count), start)
            } else {
                end = min(start + Int(min(count, Double(length))), length)
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<max(start, end)])
        return .string(String(out))
    }

    /// `in`: membership in an array, or substring of a string.
    static func contains(_ haystack: JSONValue, _ needle: JSONValue) -> Bool {
        switch haystack {
        case .array(let items): return items.contains { Coercion.pythonEqual($0, needle) }
        case .string(let s): return s.contains(Coercion.string(needle))
        default: return false
        }
    }
}
