import Foundation

/// The requests a run sends, in order: templates in proportion to their weights, each filled
/// from the next row of the data. Deterministic, so two runs of a test send the same sequence.
public struct RequestPlan: Sendable {
    public struct Planned: Sendable, Hashable {
        public var template: Int
        public var method: String
        public var path: String
        public var headers: [String]
        public var body: String?
        public var assets: Bool
    }

    enum Piece: Sendable {
        case text(String)
        case column(Int)
    }

    struct Template: Sendable {
        var method: String
        var path: [Piece]
        var headers: [(name: String, value: [Piece])]
        var body: [Piece]?
        var assets: Bool
    }

    let templates: [Template]
    /// Template indices spread so weights 3:1 send a a b a, not a a a b.
    let wheel: [Int]
    let rows: [[String]]

    public var count: Int { rows.isEmpty ? wheel.count : wheel.count * rows.count }

    public init(test: LoadTest, data: CSVTable?) throws(CSVTable.Problem) {
        let columns = data?.columns ?? []
        var templates: [Template] = []
        for request in test.requests {
            func pieces(_ text: String) throws(CSVTable.Problem) -> [Piece] {
                try Self.pieces(text, columns: columns, file: test.file, line: request.line, data: test.data)
            }
            guard request.url.hasPrefix("/") else {
                throw CSVTable.Problem(file: test.file, line: request.line, message: "url '\(request.url)' must be a path starting with /")
            }
            var headers: [(String, [Piece])] = []
            for header in request.headers { headers.append((header.name, try pieces(header.value))) }
            templates.append(
                Template(
                    method: request.method, path: try pieces(request.url), headers: headers, body: try request.body.map(pieces),
                    assets: request.assets))
        }
        self.templates = templates
        let total = test.requests.reduce(0) { $0 + $1.weight }
        // Smooth weighted round robin (nginx's upstream rule): even spacing for any weights.
        var current = Array(repeating: 0, count: test.requests.count)
        var wheel: [Int] = []
        for _ in 0..<total {
            for (i, request) in test.requests.enumerated() { current[i] += request.weight }
            let best = current.indices.max { current[$0] < current[$1] || (current[$0] == current[$1] && $0 > $1) }!
            current[best] -= total
            wheel.append(best)
        }
        self.wheel = wheel
        rows = data?.rows ?? []
    }

    public func request(_ n: Int) -> Planned {
        let template = templates[wheel[n % wheel.count]]
        let row = rows.isEmpty ? [] : rows[n % rows.count]
        func fill(_ pieces: [Piece]) -> String {
            var text = ""
            for piece in pieces {
                switch piece {
                case .text(let t): text += t
                case .column(let c): text += row[c]
                }
            }
            return text
        }
        return Planned(
            template: wheel[n % wheel.count], method: template.method, path: fill(template.path),
            headers: template.headers.map { "\($0.name): \(fill($0.value))" }, body: template.body.map(fill),
            assets: template.assets)
    }

    static func pieces(_ text: String, columns: [String], file: String, line: Int, data: String?) throws(CSVTable.Problem) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw CSVTable.Problem(file: file, line: line, message: "'{{' without '}}' in '\(text)'")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let index = columns.firstIndex(of: name) else {
                let source = data.map { "the data file \($0) has no column '\(name)' (it has \(columns.joined(separator: ", ")))" }
                throw CSVTable.Problem(file: file, line: line, message: source ?? "'{{\(name)}}' needs a 'data' CSV file with that column")
            }
            pieces.append(.column(index))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }
}
