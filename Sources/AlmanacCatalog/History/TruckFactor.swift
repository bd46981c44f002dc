import Foundation

/// One commit as the truck factor needs it: who, and which files it added, changed or deleted.
public struct Commit: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case added(String)
        case modified(String)
        case deleted(String)
    }

    public var author: String
    public var changes: [Change]

    public init(author: String, changes: [Change]) {
        self.author = author
        self.changes = changes
    }
}

/// The truck factor of Avelino, Passos, Hora and Valente ("A novel approach for estimating truck
/// factors", ICPC 2016): who authors each file by degree of authorship, then how many top
/// authors must leave before most files have no author left.
public struct TruckFactor: Sendable {
    /// Per file still present: each developer's first authorship, deliveries and the others' changes.
    public struct FileHistory: Sendable, Equatable {
        public var creator: String?
        public var changes: [String: Int] = [:]
    }

    public let files: [String: FileHistory]

    /// Replays `commits` (oldest first). A deleted file is forgotten; added again, it starts anew.
    public init(commits: [Commit]) {
        var files: [String: FileHistory] = [:]
        for commit in commits {
            for change in commit.changes {
                switch change {
                case .added(let path):
                    files[path] = FileHistory(creator: commit.author, changes: [commit.author: 1])
                case .modified(let path):
                    files[path, default: FileHistory()].changes[commit.author, default: 0] += 1
                case .deleted(let path):
                    files[path] = nil
                }
            }
        }
        self.files = files
    }

    /// DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC).
    public static func degreeOfAuthorship(firstAuthorship: Bool, deliveries: Int, acceptances: Int) -> Double {
        3.293 + 1.098 * (firstAuthorship ? 1 : 0) + 0.164 * Double(deliveries) - 0.321 * log(1 + Double(acceptances))
    }

    /// Each developer's DOA on `file`, for those who changed it.
    public func degrees(of file: String) -> [String: Double] {
        guard let history = files[file] else { return [:] }
        let total = history.changes.values.reduce(0, +)
        var out: [String: Double] = [:]
        for (developer, deliveries) in history.changes {
            out[developer] = Self.degreeOfAuthorship(
                firstAuthorship: history.creator == developer, deliveries: deliveries, acceptances: total - deliveries)
        }
        return out
    }

    /// Authors of `file`: normalised DOA above 0.75 and DOA at least 3.293.
    public func authors(of file: String) -> Set<String> {
        let degrees = degrees(of: file)
        guard let top = degrees.values.max(), top > 0 else { return [] }
        return Set(degrees.filter { $0.value / top > 0.75 && $0.value >= 3.293 }.keys)
    }

    /// The truck factor and the developers removed to reach it, most files first.
    public func estimate() -> (factor: Int, removed: [String]) {
        var authorship = Dictionary(uniqueKeysWithValues: files.keys.map { ($0, authors(of: $0)) })
        guard !authorship.isEmpty else { return (0, []) }
        var removed: [String] = []
        func covered() -> Int { authorship.values.filter { !$0.isEmpty }.count }
        // Greedy: the top author leaves until fewer than half of the files have an author.
        while Double(covered()) >= Double(authorship.count) / 2 {
            var counts: [String: Int] = [:]
            for authors in authorship.values { for a in authors { counts[a, default: 0] += 1 } }
            guard let top = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key else { break }
            removed.append(top)
            for key in authorship.keys { authorship[key]!.remove(top) }
        }
        return (removed.count, removed)
    }

    /// `git log --reverse --no-renames --format=%x1e%aN --name-status` output, as commits.
    public static func parseLog(_ text: String) -> [Commit] {
        text.split(separator: "\u{1e}", omittingEmptySubsequences: true).compactMap { record in
            var lines = record.split(separator: "\n", omittingEmptySubsequences: true)
            guard !lines.isEmpty else { return nil }
            let author = String(lines.removeFirst()).trimmingCharacters(in: .whitespaces)
            let changes: [Commit.Change] = lines.compactMap { line in
                let parts = line.split(separator: "\t", maxSplits: 1)
                guard parts.count == 2, let status = parts[0].first else { return nil }
                let path = String(parts[1])
                switch status {
                case "A": return .added(path)
                case "D": return .deleted(path)
                case "M", "T": return .modified(path)
                default: return nil
                }
            }
            return Commit(author: author, changes: changes)
        }
    }
}
