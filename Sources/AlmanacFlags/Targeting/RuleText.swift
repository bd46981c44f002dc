import AlmanacConfig
import Foundation

/// Renders a JsonLogic rule as text a person reads at a glance on the flag's page:
/// `if email ends with "@example.org" then blue, otherwise split red 50%, green 50%`.
public enum RuleText {
    /// `evaluators` are the file's `$evaluators`, so a `$ref` reads as its name and its meaning.
    public static func describe(_ rule: JSONValue, evaluators: [String: JSONValue] = [:]) -> String {
        guard case .object(let members) = rule, members.count == 1, let (op, raw) = members.first else { return literal(rule) }
        let args = raw.arrayValue ?? [raw]
        func describe(_ value: JSONValue) -> String { Self.describe(value, evaluators: evaluators) }
        func arg(_ i: Int) -> String { i < args.count ? describe(args[i]) : "null" }
        switch op {
        case "var": return args.first?.stringValue ?? literal(args.first ?? .null)
        case "if", "?:":
            var parts: [String] = []
            var i = 0
            while i + 1 < args.count {
                parts.append("\(parts.isEmpty ? "if" : "else if") \(describe(args[i])) then \(describe(args[i + 1]))")
                i += 2
            }
            if i < args.count { parts.append("otherwise \(describe(args[i]))") }
            return parts.joined(separator: ", ")
        case "and", "or": return "(" + args.map(describe).joined(separator: " \(op) ") + ")"
        case "!": return "not \(arg(0))"
        case "!!": return "\(arg(0)) is set"
        case "==", "===", "!=", "!==", "<", ">", "<=", ">=":
            if args.count == 3 { return "\(arg(0)) \(op) \(arg(1)) \(op) \(arg(2))" }
            return "\(arg(0)) \(op) \(arg(1))"
        case "in": return "\(arg(0)) in \(arg(1))"
        case "starts_with": return "\(arg(0)) starts with \(arg(1))"
        case "ends_with": return "\(arg(0)) ends with \(arg(1))"
        case "sem_ver": return "version \(arg(0)) \(args.count > 1 ? args[1].stringValue ?? "?" : "?") \(arg(2))"
        case "fractional": return fractional(args, evaluators: evaluators)
        case "slice": return "\(arg(0))% of users"
        case "$ref":
            guard let name = raw.stringValue else { return "rule \(arg(0))" }
            return evaluators[name].map { "\(name) (\(describe($0)))" } ?? name
        default: return "\(op)(" + args.map(describe).joined(separator: ", ") + ")"
        }
    }

    private static func fractional(_ args: [JSONValue], evaluators: [String: JSONValue]) -> String {
        var parts = args
        var by = "user"
        if let first = parts.first, first.arrayValue == nil {
            by = describe(first, evaluators: evaluators)
            parts.removeFirst()
        }
        let pairs = parts.compactMap { $0.arrayValue }.map { pair -> (String, Int64) in
            let weight: Int64 = pair.count > 1 ? { if case .int(let w) = pair[1] { return w } else { return 0 } }() : 1
            return (pair.first.map { $0.stringValue ?? literal($0) } ?? "?", max(0, weight))
        }
        let total = max(1, pairs.reduce(0) { $0 + $1.1 })
        let shares = pairs.map { name, weight -> String in
            let percent = Double(weight) * 100 / Double(total)
            let text = percent.rounded() == percent ? String(Int(percent)) : String(format: "%.1f", percent)
            return "\(name) \(text)%"
        }
        return "split by \(by): " + shares.joined(separator: ", ")
    }

    private static func literal(_ value: JSONValue) -> String {
        if case .string(let s) = value { return "\"\(s)\"" }
        return JSONWriter.string(value)
    }
}
