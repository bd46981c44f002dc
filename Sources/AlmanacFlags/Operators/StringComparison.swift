import AlmanacConfig

/// flagd's `starts_with` and `ends_with`: both operands must be strings, otherwise null.
extension Interpreter {
    static func compareStrings(_ args: [JSONValue], _ test: (String, String) -> Bool) -> JSONValue {
        guard args.count == 2, case .string(let text) = args[0], case .string(let affix) = args[1] else { return .null }
        return .bool(test(text, affix))
    }
}
