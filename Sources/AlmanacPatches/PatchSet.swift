/// The patches of a database in the order they apply: `database/patches/NNNN-name.sql` files.
/// Pure: the runtime reads the files and hands their names and text here.
public struct PatchSet: Sendable, Equatable {
    public struct Patch: Sendable, Equatable {
        /// The file's name without `.sql`: `0042-add-barcode-index`.
        public var name: String
        public var number: Int
        public var file: String
        public var text: String
        public var statements: [SQLParser.Statement]
        public var classes: [StatementClass]
        /// Statements that check the patch did what it should (a sqitch verify script), run after
        /// it in its transaction: one that fails undoes the patch.
        public var verify: [SQLParser.Statement] = []

        /// Cold when any statement is.
        public var verdict: StatementClass.Verdict { classes.contains { $0.verdict == .cold } ? .cold : .hot }
        /// Every statement can run in one transaction (the patch then leaves no trace when one fails).
        public var transactional: Bool { classes.allSatisfy(\.transactional) }
        /// The statements that run: BEGIN and COMMIT are the runner's.
        public var runnable: [(statement: SQLParser.Statement, found: StatementClass)] {
            zip(statements, classes).filter { $0.0.tree.objectValue?["TransactionStmt"] == nil }.map { ($0.0, $0.1) }
        }
    }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }

        public init(file: String, line: Int, message: String) {
            (self.file, self.line, self.message) = (file, line, message)
        }
    }

    public var patches: [Patch]

    public func patch(_ name: String) -> Patch? { patches.first { $0.name == name } }

    /// Reads `files` (name of each file in the folder, its text): names are `NNNN-words.sql`, each
    /// number once; every statement parses.
    public static func read(folder: String, files: [(name: String, text: String)]) throws(Problem) -> PatchSet {
        var patches: [Patch] = []
        for (fileName, text) in files.sorted(by: { $0.name < $1.name }) where fileName.hasSuffix(".sql") {
            let path = folder + "/" + fileName
            let name = String(fileName.dropLast(4))
            let digits = name.prefix { $0.isNumber }
            guard let number = Int(digits), digits.count >= 1, name.dropFirst(digits.count).first == "-", name.count > digits.count + 1,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else {
                throw Problem(file: path, line: 0, message: "a patch is named NNNN-what-it-does.sql (digits, a dash, letters, digits, - or _)")
            }
            if let other = patches.first(where: { $0.number == number }) {
                throw Problem(file: path, line: 0, message: "number \(number) is also \(other.file)")
            }
            let statements: [SQLParser.Statement]
            do { statements = try SQLParser.parse(text) } catch { throw Problem(file: path, line: error.line, message: error.message) }
            if statements.isEmpty { throw Problem(file: path, line: 1, message: "no statement") }
            patches.append(
                Patch(name: name, number: number, file: path, text: text, statements: statements, classes: statements.map(Classifier.classify))
            )
        }
        return PatchSet(patches: patches.sorted { $0.number < $1.number })
    }

    /// A sqitch project: the plan's changes in order, each with its deploy script and, when there
    /// is one, its verify script (`scripts` maps `deploy/NAME.sql` and `verify/NAME.sql` to text).
    public static func read(sqitch folder: String, plan: String, scripts: [String: String]) throws(Problem) -> PatchSet {
        let (_, changes) = try SqitchPlan.parse(plan, file: folder + "/sqitch.plan")
        var patches: [Patch] = []
        for (index, change) in changes.enumerated() {
            let path = "deploy/\(change.name).sql"
            guard let text = scripts[path] else {
                throw Problem(file: folder + "/sqitch.plan", line: change.line, message: "no \(path) for change '\(change.name)'")
            }
            for needed in change.requires where !patches.contains(where: { $0.name == needed }) {
                throw Problem(
                    file: folder + "/sqitch.plan", line: change.line, message: "'\(change.name)' requires '\(needed)', planned after it or not at all"
                )
            }
            func parsed(_ file: String, _ text: String) throws(Problem) -> [SQLParser.Statement] {
                do { return try SQLParser.parse(text) } catch { throw Problem(file: folder + "/" + file, line: error.line, message: error.message) }
            }
            let statements = try parsed(path, text)
            var patch = Patch(
                name: change.name, number: index + 1, file: folder + "/" + path, text: text, statements: statements,
                classes: statements.map(Classifier.classify))
            if let verify = scripts["verify/\(change.name).sql"] {
                patch.verify = try parsed("verify/\(change.name).sql", verify).filter { $0.tree["TransactionStmt"] == nil }
            }
            patches.append(patch)
        }
        return PatchSet(patches: patches)
    }
}
