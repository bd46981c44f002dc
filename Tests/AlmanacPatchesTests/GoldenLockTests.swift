import Foundation
import Testing

@testable import AlmanacPatches

/// The classifier against the golden table (tests/patches/golden-locks.tsv), whose rows a real
/// PostgreSQL confirms in tests/e2e/test_patch_locks.py: the lock on `t`, hot or cold, and
/// whether the statement can run inside a transaction.
@Suite struct GoldenLockTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var statement: String
        var lock: LockMode?
        var verdict: StatementClass.Verdict
        var transactional: Bool
        var testDescription: String { statement }
    }

    static let rows: [Row] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tests/patches/golden-locks.tsv").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return Row(
                statement: fields[0], lock: LockMode(rawValue: fields[1]), verdict: StatementClass.Verdict(rawValue: fields[2])!,
                transactional: fields[3] == "yes")
        }
    }()

    @Test func theTableHasAtLeastFortyRows() { #expect(Self.rows.count >= 40) }

    @Test(arguments: rows)
    func eachStatementAsTheDocumentationSays(row: Row) throws {
        let statements = try SQLParser.parse(row.statement)
        #expect(statements.count == 1)
        let found = Classifier.classify(try #require(statements.first))
        // The schema's indexes are on t (tests/patches/schema.sql).
        let onT = found.locks.filter { $0.table == "t" || ($0.ofIndex && ["t_a", "t_id_b"].contains($0.table)) }.map(\.mode).max()
        #expect((onT.map { $0 > .accessShare } ?? false ? onT : nil) == row.lock, "lock on t")
        #expect(found.verdict == row.verdict, "\(found.reason)")
        #expect(found.transactional == row.transactional)
    }

    @Test func conflictsAsTheDocumentationTabulates() {
        // Table 13.2, read row by row: which modes each mode conflicts with.
        let expected: [LockMode: Set<LockMode>] = [
            .accessShare: [.accessExclusive],
            .rowShare: [.exclusive, .accessExclusive],
            .rowExclusive: [.share, .shareRowExclusive, .exclusive, .accessExclusive],
            .shareUpdateExclusive: [.shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive],
            .share: [.rowExclusive, .shareUpdateExclusive, .shareRowExclusive, .exclusive, .accessExclusive],
            .shareRowExclusive: [.rowExclusive, .shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive],
            .exclusive: [.rowShare, .rowExclusive, .shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive],
            .accessExclusive: Set(LockMode.allCases),
        ]
        for mode in LockMode.allCases {
            #expect(Set(LockMode.allCases.filter { mode.conflicts(with: $0) }) == expected[mode], "\(mode)")
        }
    }
}
