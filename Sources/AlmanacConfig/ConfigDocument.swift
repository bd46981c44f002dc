import Yams

/// Turns the text of a YAML or JSON config file into a located `ConfigNode` tree.
///
/// JSON is read through the YAML parser as well (JSON is YAML's flow style), so both formats
/// get line numbers and duplicate-key detection from one path.
public enum ConfigDocument {
    /// Files larger than this are refused before parsing.
    public static let maximumBytes = 4 * 1024 * 1024
    /// Bounds the tree after alias expansion, which a small file can blow up ("billion laughs").
    public static let maximumNodes = 500_000

    /// Parses `text`, naming `file` in every error.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        if text.utf8.count > maximumBytes {
            throw ConfigError(file: file, line: 0, field: "", message: "file is \(text.utf8.count) bytes, more than the limit of \(maximumBytes)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw translate(error, file: file)
        } catch {
            throw ConfigError(file: file, line: 0, field: "", message: "\(error)")
        }
        guard let root else {
            return ConfigNode(content: .mapping([]), file: file, line: 1, path: "")
        }
        var budget = maximumNodes
        return try convert(root, file: file, path: "", budget: &budget)
    }

    /// Parses every document of a YAML stream (`---` separated), as Backstage catalogue files
    /// hold several entities; the node budget is shared by all of them.
    public static func parseAll(_ text: String, file: String) throws(ConfigError) -> [ConfigNode] {
        if text.utf8.count > maximumBytes {
            throw ConfigError(file: file, line: 0, field: "", message: "file is \(text.utf8.count) bytes, more than the limit of \(maximumBytes)")
        }
        var out: [ConfigNode] = []
        var budget = maximumNodes
        do {
            // Parser.nextRoot throws on a broken document; compose_all's sequence would just stop.
            let parser = try Parser(yaml: text)
            while let root = try parser.nextRoot() {
                out.append(try convert(root, file: file, path: "", budget: &budget))
            }
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw translate(error, file: file)
        } catch {
            throw ConfigError(file: file, line: 0, field: "", message: "\(error)")
        }
        return out
    }

    private static func translate(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return ConfigError(file: file, line: mark.line, field: "", message: "syntax error: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, line: context.mark.line, field: "",
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return ConfigError(file: file, line: 0, field: "", message: "unreadable: \(problem)")
        default:
            return ConfigError(file: file, line: 0, field: "", message: "\(error)")
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    private static func convert(_ node: Node, file: String, path: String, budget: inout Int) throws(ConfigError) -> ConfigNode {
        budget -= 1
        let line = node.mark?.line ?? 0
        if budget < 0 {
            throw ConfigError(file: file, line: line, field: path, message: "document has more than \(maximumNodes) values")
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(content: .scalar(resolve(scalar)), file: file, line: line, path: path)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (i, item) in sequence.enumerated() {
                items.append(try convert(item, file: file, path: "\(path)[\(i)]", budget: &budget))
            }
            return ConfigNode(content: .sequence(items), file: file, line: line, path: path)
        case .mapping(let mapping):
            var members: [ConfigNode.Member] = []
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ConfigError(file: file, line: keyNode.mark?.line ?? line, field: path, message: "keys must be plain strings")
                }
                let key = keyScalar.string
                if !seen.insert(key).inserted {
                    throw ConfigError(file: file, line: keyNode.mark?.line ?? line, field: join(path, key), message: "duplicate key '\(key)'")
                }
                var value = try convert(valueNode, file: file, path: join(path, key), budget: &budget)
                // A block mapping or list starts on the line after its key; people look for the key.
                if value.scalar == nil, let keyLine = keyNode.mark?.line { value.line = keyLine }
                members.append(.init(key: key, value: value))
            }
            return ConfigNode(content: .mapping(members), file: file, line: line, path: path)
        case .alias:
            throw ConfigError(file: file, line: line, field: path, message: "unresolved alias")
        }
    }

    /// Resolves a scalar the way JSON would for quoted text and YAML 1.2's core schema for
    /// plain text; dates stay strings, so each domain parses them where it knows the field.
    static func resolve(_ scalar: Node.Scalar) -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || (first >= 48 && first <= 57) || first == UInt8(ascii: ".")
        {
            if let i = Int64(text) { return .int(i) }
            if text.allSatisfy({ "0123456789+-.eE".contains($0) }), let d = Double(text) { return .double(d) }
        }
        return .string(text)
    }
}
