import AlmanacMetrics
import Foundation

/// Chooses series by name and label matchers: `node_filesystem_avail_bytes{mountpoint="/", fstype!~"tmpfs|overlay"}`.
/// The same four matchers as PromQL (`=`, `!=`, `=~`, `!~`, regular expressions anchored at both ends).
public struct Selector: Sendable, CustomStringConvertible {
    public struct Matcher: Sendable {
        public enum Kind: String, Sendable {
            case equal = "="
            case notEqual = "!="
            case matches = "=~"
            case notMatches = "!~"
        }
        public var label: String
        public var kind: Kind
        public var value: String
        let pattern: Pattern?

        /// A matcher built from values: whatever `value` holds (quotes, backslashes, newlines)
        /// is matched as it is; a regular expression that does not compile is an error.
        public init(_ label: String, _ kind: Kind, _ value: String) throws(SelectorError) {
            var pattern: Pattern?
            if kind == .matches || kind == .notMatches {
                do { pattern = Pattern(regex: try Regex(value)) } catch { throw SelectorError(message: "invalid regular expression '\(value)'") }
            }
            self.init(label: label, kind: kind, value: value, pattern: pattern)
        }

        init(label: String, kind: Kind, value: String, pattern: Pattern?) {
            self.label = label
            self.kind = kind
            self.value = value
            self.pattern = pattern
        }

        /// `label="value"`, which cannot fail.
        public static func equal(_ label: String, _ value: String) -> Matcher {
            Matcher(label: label, kind: .equal, value: value, pattern: nil)
        }

        /// The matcher as PromQL writes it, the value quoted and escaped.
        public var text: String { label + kind.rawValue + Selector.quoted(value) }

        func accepts(_ actual: String) -> Bool {
            switch kind {
            case .equal: return actual == value
            case .notEqual: return actual != value
            case .matches: return (try? pattern?.regex.wholeMatch(in: actual)) != nil
            case .notMatches: return (try? pattern?.regex.wholeMatch(in: actual)) == nil
            }
        }
    }

    public var name: String?
    public var matchers: [Matcher]
    public let description: String

    /// Whether a series with this name and labels is selected; a missing label reads as "".
    public func matches(name: String, labels: [Label]) -> Bool {
        if let wanted = self.name, wanted != name { return false }
        return matchers.allSatisfy { matcher in
            matcher.accepts(labels.first { $0.name == matcher.label }?.value ?? "")
        }
    }

    /// A selector built from values, never by splicing text into a selector: a service, check
    /// or SLO named `a"b\c` selects exactly that name.
    public init(name: String?, matchers: [Matcher]) {
        self.name = name
        self.matchers = matchers
        description = (name ?? "") + (matchers.isEmpty ? "" : "{" + matchers.map(\.text).joined(separator: ",") + "}")
    }

    /// This selector for the series `name` (keeping its matchers), or with more matchers.
    public func named(_ name: String) -> Selector { Selector(name: name, matchers: matchers) }
    public func adding(_ more: [Matcher]) -> Selector { Selector(name: name, matchers: more + matchers) }

    /// A label value as PromQL quotes it: backslash, double quote and newline escaped.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Parses a selector; the error says what is wrong and where.
    public init(_ text: String) throws(SelectorError) {
        description = text
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        var i = 0
        func fail(_ message: String) -> SelectorError { SelectorError(message: "\(message) at position \(i + 1) of '\(text)'") }
        func skip() { while i < chars.count, chars[i] == " " { i += 1 } }
        func identifier() -> String {
            let start = i
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == ":" { i += 1 }
            return String(chars[start..<i])
        }
        let first = identifier()
        name = first.isEmpty ? nil : first
        matchers = []
        skip()
        if i < chars.count {
            guard chars[i] == "{" else { throw fail("expected '{'") }
            i += 1
            while true {
                skip()
                if i < chars.count, chars[i] == "}" {
                    i += 1
                    break
                }
                let label = identifier()
                guard !label.isEmpty else { throw fail("expected a label name") }
                skip()
                var op = ""
                while i < chars.count, "=!~".contains(chars[i]) {
                    op.append(chars[i])
                    i += 1
                }
                guard let kind = Matcher.Kind(rawValue: op) else { throw fail("expected =, !=, =~ or !~") }
                skip()
                guard i < chars.count, chars[i] == "\"" else { throw fail("expected a quoted value") }
                let valueStart = i
                i += 1
                var value = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        // PromQL's escapes: \n is a newline, any other escaped character stands for itself.
                        i += 1
                        value.append(chars[i] == "n" ? "\n" : chars[i])
                    } else {
                        value.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { throw fail("unterminated value") }
                i += 1
                var pattern: Pattern?
                if kind == .matches || kind == .notMatches {
                    do {
                        pattern = Pattern(regex: try Regex(value))
                    } catch {
                        i = valueStart
                        throw fail("invalid regular expression '\(value)'")
                    }
                }
                matchers.append(Matcher(label: label, kind: kind, value: value, pattern: pattern))
                skip()
                if i < chars.count, chars[i] == "," {
                    i += 1
                    continue
                }
                if i < chars.count, chars[i] == "}" {
                    i += 1
                    break
                }
                throw fail("expected ',' or '}'")
            }
        }
        skip()
        guard i == chars.count else { throw fail("unexpected text") }
        guard name != nil || !matchers.isEmpty else { throw fail("empty selector") }
    }
}

/// A compiled regular expression. Regex values never change after compilation; only their
/// type-erased output makes them non-Sendable on paper.
struct Pattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
}

public struct SelectorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
