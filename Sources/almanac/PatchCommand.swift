import AlmanacConfig
import AlmanacPatches
import AlmanacReporting
import AlmanacRuntime
import ArgumentParser
import Foundation

/// Database patches from the command line.
struct PatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch", abstract: "Database patches: each statement's locks, and whether it can run live.",
        subcommands: [Classify.self])

    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each statement of a patch file: the locks it takes, whether it scans or rewrites a table, hot or cold.")
        @Argument(help: "The patch file (SQL).") var file: String
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let classified = try loadOrExit { try PatchReader.classify(file: file) }
            switch common.format {
            case .json:
                print(try JSONReport.string(StatementList(file: file, statements: classified.map(StatementRecord.init)), pretty: true))
            case .markdown, .html:
                print("| Line | Statement | Locks | Verdict | Why |\n|---|---|---|---|---|")
                for one in classified {
                    let found = one.found
                    print("| \(one.statement.line) | \(found.kind) | \(Self.locks(found)) | \(found.verdict.rawValue) | \(found.reason) |")
                }
            case .text:
                for one in classified {
                    let found = one.found
                    print("\(file):\(one.statement.line): \(found.verdict.rawValue): \(found.kind) — \(Self.locks(found)); \(found.reason)")
                    for note in found.notes { print("    \(note)") }
                }
            }
        }

        static func locks(_ found: StatementClass) -> String {
            found.locks.isEmpty
                ? "no lock beyond ACCESS SHARE"
                : found.locks.map { "\($0.mode.sql) on \($0.ofIndex ? "the table of index " : "")\($0.table)" }
                    .joined(separator: ", ")
        }
    }
}

struct StatementList: Encodable {
    var file: String
    var statements: [StatementRecord]
}

struct StatementRecord: Encodable {
    struct Lock: Encodable {
        var table: String
        var mode: String
        var ofIndex: Bool
    }

    var line: Int
    var text: String
    var kind: String
    var locks: [Lock]
    var verdict: String
    var reason: String
    var transactional: Bool
    var scans: Bool
    var rewrites: Bool
    var notes: [String]

    init(_ one: PatchReader.Classified) {
        let found = one.found
        (line, text, kind, verdict, reason) = (one.statement.line, one.statement.text, found.kind, found.verdict.rawValue, found.reason)
        locks = found.locks.map { Lock(table: $0.table, mode: $0.mode.rawValue, ofIndex: $0.ofIndex) }
        (transactional, scans, rewrites, notes) = (found.transactional, found.scans, found.rewrites, found.notes)
    }
}
