/// A flag key passed to a flag call in source code.
public struct CodeReference: Sendable, Hashable {
    public var key: String
    public var file: String
    public var line: Int
}

/// Finds flag keys in source text without parsing any one language: a reference is a quoted
/// literal that is the first argument of a call whose name speaks of flags or feature values
/// (`getBooleanValue("new-checkout", ...)`, `get_string_details('headline')`, `isEnabled("x")`).
/// Heuristic on purpose: it must read Python, TypeScript, Go, Swift and PHP alike.
public enum CodeReferences {
    static let callWords = [
        "flag", "feature", "booleanvalue", "stringvalue", "integervalue", "floatvalue", "objectvalue",
        "boolean_value", "string_value", "integer_value", "float_value", "object_value", "details", "enabled", "variant",
    ]

    /// References in one file's text.
    public static func scan(_ text: String, file: String) -> [CodeReference] {
        var found: [CodeReference] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line)
            var i = 0
            while i < chars.count {
                guard chars[i] == "(" else {
                    i += 1
                    continue
                }
                var start = i
                while start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber || chars[start - 1] == "_" { start -= 1 }
                let name = String(chars[start..<i]).lowercased()
                var j = i + 1
                while j < chars.count, chars[j] == " " { j += 1 }
                if !name.isEmpty, callWords.contains(where: name.contains), j < chars.count, chars[j] == "\"" || chars[j] == "'" {
                    let quote = chars[j]
                    if let end = chars[(j + 1)...].firstIndex(of: quote) {
                        let key = String(chars[(j + 1)..<end])
                        if !key.isEmpty, !key.contains(" ") { found.append(CodeReference(key: key, file: file, line: index + 1)) }
                    }
                }
                i += 1
            }
        }
        return found
    }

    /// Every single- or double-quoted literal in the text, for "defined but never named".
    public static func literals(_ text: String) -> Set<String> {
        var out: Set<String> = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "'" || c == "`" {
                var j = i + 1
                while j < chars.count, chars[j] != c, chars[j] != "\n" { j += 1 }
                if j < chars.count, chars[j] == c, j - i - 1 <= 200 { out.insert(String(chars[(i + 1)..<j])) }
                i = j + 1
            } else {
                i += 1
            }
        }
        return out
    }
}
