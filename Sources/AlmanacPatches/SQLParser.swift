import AlmanacConfig
import CPgQuery

/// PostgreSQL's own parser (libpg_query, Debian's `libpg-query-dev`): a patch is split and read
/// exactly as the server will read it, and a mistake is reported at the line the server would
/// name. Written over the C library because no listed package parses PostgreSQL's grammar.
public enum SQLParser {
    /// One statement of a patch: its text, the line it starts on, and its parse tree.
    public struct Statement: Sendable, Equatable {
        public var text: String
        public var line: Int
        /// The statement node, such as `{"IndexStmt": {...}}`.
        public var tree: JSONValue

        /// The index a CREATE INDEX names.
        public var createdIndex: String? { tree["IndexStmt"]?["idxname"]?.stringValue }
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ sql: String) throws(Failure) -> [Statement] {
        let result = pg_query_parse(sql)
        defer { pg_query_free_parse_result(result) }
        let bytes = Array(sql.utf8)
        if let error = result.error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "syntax error"
            // cursorpos counts bytes from 1; 0 means the parser could not say where.
            let at = max(0, Int(error.pointee.cursorpos) - 1)
            throw Failure(line: line(of: min(at, bytes.count), in: bytes), message: message)
        }
        guard let text = result.parse_tree else { return [] }
        let tree: JSONValue
        do { tree = try JSONParser.parse(String(cString: text)) } catch {
            throw Failure(line: 1, message: "the parse tree is too deep to read (\(error.message))")
        }
        var statements: [Statement] = []
        for raw in tree.objectValue?["stmts"]?.arrayValue ?? [] {
            guard let entry = raw.objectValue, let node = entry["stmt"] else { continue }
            let start = entry["stmt_location"]?.integer ?? 0
            let length = entry["stmt_len"]?.integer ?? (bytes.count - start)
            let slice = trimmed(bytes[start..<min(bytes.count, start + length)])
            statements.append(Statement(text: String(decoding: slice, as: UTF8.self), line: line(of: slice.startIndex, in: bytes), tree: node))
        }
        return statements
    }

    /// The statement's text begins after the blanks and `--` comments before it.
    static func trimmed(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = text
        while let first = slice.first {
            if first == 32 || first == 10 || first == 9 || first == 13 {
                slice = slice.dropFirst()
            } else if first == 45, slice.dropFirst().first == 45 {
                slice = slice.drop { $0 != 10 }
            } else {
                break
            }
        }
        return slice
    }

    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        1 + bytes[..<offset].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }
}

extension JSONValue {
    var integer: Int? {
        switch self {
        case .int(let n): Int(n)
        case .double(let d): Int(d)
        default: nil
        }
    }
}
