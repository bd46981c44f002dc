/// A sqitch project's plan (`sqitch.plan`), read as sqitch writes it: pragmas (`%project=...`),
/// changes (`name [dependencies] 2026-12-07T03:00:00Z Planner <email> # note`) and tags
/// (`@v1.0`). Each change's deploy and verify scripts are `deploy/NAME.sql` and `verify/NAME.sql`.
public enum SqitchPlan {
    public struct Change: Sendable, Equatable {
        public var name: String
        public var line: Int
        public var requires: [String]
        public var note: String
    }

    public static func parse(_ text: String, file: String) throws(PatchSet.Problem) -> (project: String?, changes: [Change]) {
        var project: String?
        var changes: [Change] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("@") { continue }
            if line.hasPrefix("%") {
                if line.hasPrefix("%project=") { project = String(line.dropFirst("%project=".count)) }
                continue
            }
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            let name = String(words[0])
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.contains("@") else {
                throw .init(file: file, line: index + 1, message: "a change name is letters, digits, - _ and . (reworked changes are not read)")
            }
            if changes.contains(where: { $0.name == name }) {
                throw .init(file: file, line: index + 1, message: "change '\(name)' is planned twice (reworked changes are not read)")
            }
            var requires: [String] = []
            if let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"), open < close {
                requires = line[line.index(after: open)..<close].split(separator: " ").map(String.init)
            }
            let note = line.range(of: " # ").map { String(line[$0.upperBound...]) } ?? ""
            changes.append(Change(name: name, line: index + 1, requires: requires, note: note))
        }
        return (project, changes)
    }
}
