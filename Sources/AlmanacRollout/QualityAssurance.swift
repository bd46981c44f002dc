import Foundation

/// The QA state of one change, as Launchpad's process tagged them.
public enum QAState: String, Sendable, Hashable, CaseIterable, Codable {
    case needsTesting = "needs-testing"
    case ok, bad, untestable

    /// A change that lets later revisions through.
    public var clears: Bool { self == .ok || self == .untestable }
}

/// One revision between what an environment runs and the candidate, oldest first.
public struct Revision: Sendable, Equatable {
    public var hash: String
    public var author: String
    public var subject: String
    /// Issue references found in the message: `#123`, `LP: #123`, `fixes #12`.
    public var issues: [String]
    public var qa: QAState

    public init(hash: String, author: String, subject: String, issues: [String] = [], qa: QAState = .needsTesting) {
        self.hash = hash
        self.author = author
        self.subject = subject
        self.issues = issues
        self.qa = qa
    }
}

/// Which revision may be deployed: the newest one such that it and every revision before it is
/// QA'd ok or untestable. A later one is blocked by the first revision that is not.
public struct Deployability: Sendable, Equatable {
    /// The newest deployable revision; nil when the first pending revision is already blocked.
    public var deployable: String?
    /// The first revision that holds the rest back, and why.
    public var blockedBy: String?
    public var reason: String?
    /// Revisions the deployable one would bring.
    public var count: Int

    /// With `requiresQA` false, a revision not QA'd yet lets the later ones through; one QA'd bad never does.
    public init(revisions: [Revision], requiresQA: Bool = true) {
        var deployable: String?
        var count = 0
        for revision in revisions {
            guard revision.qa.clears || (!requiresQA && revision.qa != .bad) else {
                blockedBy = revision.hash
                let what = revision.issues.isEmpty ? "" : " (\(revision.issues.joined(separator: ", ")))"
                reason = "\(String(revision.hash.prefix(10)))\(what) is \(revision.qa == .bad ? "QA'd bad" : "not QA'd yet"): \(revision.subject)"
                break
            }
            deployable = revision.hash
            count += 1
        }
        self.deployable = deployable
        self.count = count
    }
}

/// Issue references in a commit message: `#123`, `LP: #123`, `GH-45`, `fixes #12`, `PROJ-7`.
public enum IssueReferences {
    public static func find(in message: String) -> [String] {
        var found: [String] = []
        let scalars = Array(message.unicodeScalars)
        var i = 0
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }
        while i < scalars.count {
            let c = scalars[i]
            let startsWord = i == 0 || !(scalars[i - 1].properties.isAlphabetic || isDigit(scalars[i - 1]))
            if c == "#", startsWord || scalars[i - 1] == " ", i + 1 < scalars.count, isDigit(scalars[i + 1]) {
                var j = i + 1
                while j < scalars.count, isDigit(scalars[j]) { j += 1 }
                found.append("#" + String(String.UnicodeScalarView(scalars[(i + 1)..<j])))
                i = j
                continue
            }
            // PROJ-7, GH-45: an upper-case key, a dash and digits, starting a word.
            if startsWord, isUpper(c) {
                var j = i
                while j < scalars.count, isUpper(scalars[j]) || isDigit(scalars[j]) { j += 1 }
                if j < scalars.count, scalars[j] == "-", j + 1 < scalars.count, isDigit(scalars[j + 1]), j - i >= 2 {
                    var k = j + 1
                    while k < scalars.count, isDigit(scalars[k]) { k += 1 }
                    found.append(String(String.UnicodeScalarView(scalars[i..<k])))
                    i = k
                    continue
                }
            }
            i += 1
        }
        var seen: Set<String> = []
        return found.filter { seen.insert($0).inserted }
    }
}

extension Revision {
    /// `git log --reverse --format=%H%x1f%aN%x1f%s%x1f%b%x1e` output, as revisions needing QA.
    public static func parseLog(_ text: String) -> [Revision] {
        text.split(separator: "\u{1e}").compactMap { record in
            let fields = record.split(separator: "\u{1f}", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3 else { return nil }
            let hash = fields[0].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !hash.isEmpty else { return nil }
            let message = fields[2] + "\n" + (fields.count > 3 ? fields[3] : "")
            return Revision(hash: hash, author: fields[1], subject: fields[2], issues: IssueReferences.find(in: message))
        }
    }
}
