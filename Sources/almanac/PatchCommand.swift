import AlmanacConfig
import AlmanacPatches
import AlmanacReporting
import AlmanacRuntime
import ArgumentParser
import Foundation
import Logging

/// Database patches from the command line.
struct PatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch", abstract: "Database patches: each statement's locks, and whether it can run live.",
        subcommands: [Classify.self, Status.self, Apply.self])

    /// The pipeline's patch service, or the command stops naming what is missing.
    static func service(_ common: CommonOptions) throws -> PatchService {
        guard let pipeline = try loadOrExit({ try PipelineFiles.load(configDirectory: common.config) }) else {
            throw ValidationError("\(common.config)/pipeline/pipeline.yaml does not exist")
        }
        var logger = Logger(label: "almanac")
        logger.logLevel = .warning
        return PatchService(configDirectory: common.config, pipeline: pipeline, clock: .system, logger: logger)
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each patch, hot or cold, and whether an environment's database has it.")
        @Argument(help: "The environment whose database is read.") var environment: String
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let service = try PatchCommand.service(common)
            let set = try loadOrExit { try service.patches() }
            let ledger = try await service.ledger(environment: environment)
            let rows = set.patches.map { patch in
                let entry = ledger.first { $0.name == patch.name }
                return PatchRecord(
                    name: patch.name, verdict: patch.verdict.rawValue, status: entry?.status ?? "pending", appliedAt: entry?.appliedAt,
                    appliedBy: entry?.appliedBy, milliseconds: entry?.milliseconds, windowMilliseconds: entry?.windowMilliseconds, error: entry?.error
                )
            }
            switch common.format {
            case .json: print(try JSONReport.string(["patches": rows], pretty: true))
            default:
                for row in rows {
                    let took = row.milliseconds.map { " in \($0) ms" } ?? ""
                    let window = row.windowMilliseconds.map { ", window \($0) ms" } ?? ""
                    print("\(row.name): \(row.verdict), \(row.status)\(took)\(window)\(row.error.map { ": \($0)" } ?? "")")
                }
            }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the pending patches to an environment's database: hot ones live, cold ones in the window.")
        @Argument(help: "The environment whose database is patched.") var environment: String
        @Option(name: .customLong("up-to"), help: "Stop after this patch.") var upTo: String?
        @Option(help: "Who applies them, for the ledger.") var actor: String = ProcessInfo.processInfo.environment["USER"] ?? "cli"
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let service = try PatchCommand.service(common)
            do {
                let applied = try await service.apply(environment: environment, upTo: upTo, actor: actor)
                switch common.format {
                case .json: print(try JSONReport.string(["applied": applied.map(AppliedRecord.init)], pretty: true))
                default:
                    if applied.isEmpty { print("\(environment): nothing to apply") }
                    for one in applied {
                        let window = one.windowMilliseconds.map { ", window \($0) ms" } ?? ""
                        print("\(one.name): \(one.verdict.rawValue), applied in \(one.milliseconds) ms\(window), attempt \(one.attempts)")
                    }
                }
            } catch let error as PatchError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

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

struct PatchRecord: Encodable {
    var name, verdict, status: String
    var appliedAt: Int64?
    var appliedBy: String?
    var milliseconds: Int64?
    var windowMilliseconds: Int64?
    var error: String?
}

struct AppliedRecord: Encodable {
    var name, verdict: String
    var milliseconds: Int64
    var windowMilliseconds: Int64?
    var attempts: Int

    init(_ one: PatchApplier.Applied) {
        (name, verdict, milliseconds, windowMilliseconds, attempts) = (
            one.name, one.verdict.rawValue, one.milliseconds, one.windowMilliseconds, one.attempts
        )
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
