import AlmanacConfig
import Foundation

/// JsonLogic's loose conversions, following the reference evaluator that flagd's Python core
/// uses, so the same rule gives the same answer here and there. Booleans count as numbers (1 and 0)
/// wherever that evaluator treats them so.
public enum Coercion {
    /// A number as JsonLogic sees it: integers stay integers until arithmetic mixes in a float.
    enum Number {
        case int(Int64)
        case double(Double)

        var double: Double {
            switch self {
            case .int(let i): return Double(i)
            case .double(let d): return d
            }
        }

        var json: JSONValue {
            switch self {
            case .int(let i): return .int(i)
            case .double(let d): return .double(d)
            }
        }
    }

    /// Whether the value takes part in arithmetic and comparison as a number without conversion.
    static func isNumeric(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .double, .bool: return true
        default: return false
        }
    }

    static func number(_ value: JSONValue) -> Number {
        switch value {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .int(b ? 1 : 0)
        case .null: return .int(0)
        case .array(let items):
            if items.isEmpty { return .int(0) }
            if items.count > 1 { return .double(.nan) }
            return number(items[0])
        case .object: return .double(.nan)
        case .string(let s): return .double(parseDouble(s))
        }
    }

    static func double(_ value: JSONValue) -> Double { number(value).double }

    /// Text to number the way the reference does: surrounding space allowed, infinities refused.
    static func parseDouble(_ text: String) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = trimmed.lowercased()
        if lower == "inf" || lower == "+inf" || lower == "-inf" || lower.contains("x") { return .nan }
        return Double(trimmed) ?? .nan
    }

    static func string(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return formatG15(d)
        case .null: return "null"
        // The reference evaluator checks for integers before booleans, and Python's booleans are
        // integers, so `cat` and string comparison see "True" and "False".
        case .bool(let b): return b ? "True" : "False"
        case .array(let items): return items.map(string).joined(separator: ",")
        case .object: return "[object Object]"
        }
    }

    /// `%.15g`, the reference's float-to-text.
    static func formatG15(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return String(format: "%.15g", d)
    }

    public static func truthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return !d.isNaN && d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object: return true
        }
    }

    /// Python's `==` on JSON values, which `in` over arrays uses: numbers (and booleans) compare by value.
    static func pythonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if isNumeric(a) && isNumeric(b) { return double(a) == double(b) }
        switch (a, b) {
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { pythonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { pythonEqual(value, $0) } ?? false }
        default: return false
        }
    }

    /// Code-point order, as Python compares strings.
    static func less(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
