/// A CSV file's rows by column name (RFC 4180: quotes, doubled quotes, CRLF). Written here
/// because a load test must name the line of a short row, which SwiftCSV does not report.
public struct CSVTable: Sendable {
    public var columns: [String]
    public var rows: [[String]]

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public static func parse(_ text: String, file: String) throws(Problem) -> CSVTable {
        var records: [(line: Int, fields: [String])] = []
        var field = ""
        var fields: [String] = []
        var quoted = false
        var line = 1
        var recordLine = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return characters.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        pending = following
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\n", "\r\n":
                fields.append(field)
                records.append((recordLine, fields))
                field = ""
                fields = []
                line += 1
                recordLine = line
            default: field.append(c)
            }
        }
        if quoted { throw Problem(file: file, line: recordLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        records.removeAll { $0.fields == [""] }
        guard let header = records.first else { throw Problem(file: file, line: 1, message: "empty: the first line names the columns") }
        for record in records.dropFirst() where record.fields.count != header.fields.count {
            let missing =
                record.fields.count < header.fields.count
                ? "missing column '\(header.fields[record.fields.count])'" : "more fields than the \(header.fields.count) columns"
            throw Problem(file: file, line: record.line, message: "\(record.fields.count) fields, \(missing)")
        }
        if records.count < 2 { throw Problem(file: file, line: 1, message: "no rows after the header") }
        return CSVTable(columns: header.fields, rows: records.dropFirst().map(\.fields))
    }
}
