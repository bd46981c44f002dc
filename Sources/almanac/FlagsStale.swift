import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation
import Logging

extension Flags {
    struct Stale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List flags past their expiry, unused, serving one variant, or out of step with the code.",
            discussion: "Exits with status 1 when it finds anything, so CI can keep flags from being left in forever.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The window for 'not evaluated' and 'one variant', in days.") var days: Int = 30
        @Option(help: "A source tree to compare flag keys with.") var source: String?

        func run() async throws {
            let set = try Flags.load(common.config, environment: nil)
            let nowSeconds = WallClock.system.seconds()
            let usage = try await common.withDatabase { database in
                try await SQLFlagStore(database: database).usage(sinceHour: nowSeconds / 3600 - Int64(days) * 24)
            }
            var references: [CodeReference]?
            var mentions: Set<String>?
            if let source {
                let scanned = SourceScanner.scan(source)
                references = scanned.references
                mentions = scanned.literals
            }
            let findings = StaleFlags.findings(
                flags: set, usage: usage, today: DayStamp(unixSeconds: nowSeconds), windowDays: days,
                references: references, mentions: mentions)
            print(StaleReport.render(findings, format: common.format))
            if !findings.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Reads a source tree for the stale-flag check; skips build output, dependencies and binaries.
enum SourceScanner {
    static let skipped: Set<String> = [".git", ".build", "node_modules", "vendor", "dist", "build", ".venv", "__pycache__"]

    static func scan(_ root: String) -> (references: [CodeReference], literals: Set<String>) {
        var references: [CodeReference] = []
        var literals: Set<String> = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return ([], []) }
        while let entry = walker.nextObject() as? String {
            let name = (entry as NSString).lastPathComponent
            if skipped.contains(name) {
                walker.skipDescendants()
                continue
            }
            let path = root + "/" + entry
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular, (attributes[.size] as? Int ?? 0) < 2_000_000,
                let data = FileManager.default.contents(atPath: path), !data.contains(0), let text = String(data: data, encoding: .utf8)
            else { continue }
            references += CodeReferences.scan(text, file: entry)
            literals.formUnion(CodeReferences.literals(text))
        }
        return (references, literals)
    }
}

enum StaleReport {
    static func render(_ findings: [StaleFinding], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONWriter.string(
                .array(
                    findings.map { f in
                        [
                            "flag": .string(f.flagKey), "kind": .string(f.kind.rawValue), "detail": .string(f.detail),
                            "owner": f.owner.map(JSONValue.string) ?? .null,
                        ]
                    }))
        case .markdown:
            return
                (["| flag | finding | detail | owner |", "|---|---|---|---|"]
                + findings.map { "| \($0.flagKey) | \($0.kind.rawValue) | \($0.detail) | \($0.owner ?? "") |" }).joined(separator: "\n")
        case .text, .html:
            if findings.isEmpty { return "no stale flags" }
            return findings.map { "\($0.flagKey): \($0.kind.rawValue): \($0.detail)\($0.owner.map { " (owner \($0))" } ?? "")" }.joined(
                separator: "\n")
        }
    }
}
