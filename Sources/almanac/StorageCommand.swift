import AlmanacConfig
import AlmanacCosts
import AlmanacImages
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Audit an image store: duplicates, WebP, downscaling, cold images; plan the changes, apply and undo them.",
        subcommands: [Audit.self, Apply.self, Undo.self, Checksum.self])

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure every file (resumable), re-encode a sample, read access logs; print the report and write a plan.")
        @Argument(help: "The image directories.") var directories: [String]
        @Option(help: "The audit's ledger (default: storage-audit.sqlite in --data); a second run resumes from it.") var state: String?
        @Option(help: "Near-duplicate threshold: differing bits of 64 in the pHash.") var threshold = 10
        @Option(help: "Images re-encoded for the savings estimate.") var sample = 200
        @Option(help: "Seed of the sample draw (the same seed draws the same sample).") var seed: UInt64 = 1
        @Option(help: "WebP quality (0-100).") var quality = 80
        @Option(name: .customLong("jpeg-quality"), help: "JPEG quality of downscaled images.") var jpegQuality = 85
        @Option(name: .customLong("pixel-budget"), help: "Images above this many pixels are downscaled to it.") var pixelBudget = 12_000_000
        @Option(name: .customLong("logs"), help: "Access logs (nginx or Apache combined, .gz too) or directories of them.") var logs: [String] = []
        @Option(name: .customLong("url-prefix"), help: "The URL path the directories are served under (/images).") var urlPrefix = ""
        @Option(help: "The host in capacity/costs.yaml of --config whose prices and grid price the savings.") var host: String?
        @Option(help: "Write a plan (JSON) of the actions in --actions to this file.") var plan: String?
        @Option(help: "Plan actions, comma-separated: deduplicate, downscale, webp, cold.") var actions = "deduplicate"
        @Option(help: "Where apply moves originals (default: <plan>.quarantine).") var quarantine: String?
        @Option(name: .customLong("cold-dir"), help: "Where apply moves cold images.") var coldDirectory: String?
        @Option(help: "Write the report to this file instead of standard output.") var out: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            if common.database != nil {
                throw ValidationError("--database: the audit keeps its ledger in a SQLite file of its own (--state), close to the images")
            }
            var settings = StorageAuditSettings()
            settings.threshold = threshold
            settings.sampleSize = sample
            settings.seed = seed
            settings.quality = quality
            settings.jpegQuality = jpegQuality
            settings.pixelBudget = pixelBudget
            settings.logs = logs
            settings.urlPrefix = urlPrefix
            if let host { settings.prices = try prices(host: host) }
            let kinds = try planKinds()
            let ledger = try await AuditLedger.open(state ?? common.data + "/storage-audit.sqlite")
            do {
                let audit = try await measure(ledger: ledger, settings: settings)
                try await ledger.close()
                try write(audit, settings: settings, kinds: kinds)
            } catch {
                try? await ledger.close()
                if let problem = error as? ImageAuditError {
                    FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
                    throw ExitCode(1)
                }
                throw error
            }
        }

        func measure(ledger: AuditLedger, settings: StorageAuditSettings) async throws -> StorageAudit {
            let auditor = ImageAuditor(roots: directories, excluded: [quarantine, coldDirectory, plan.map { $0 + ".quarantine" }].compactMap { $0 })
            let total = try auditor.count()
            var bar = ProgressBar(label: "measuring", total: total.bytes)
            let done = try await auditor.run(ledger: ledger) { state in
                bar.update(done: state.bytes, detail: "\(state.files)/\(total.files) files (\(state.resumed) already measured)")
            }
            bar.update(done: done.bytes, detail: "\(done.files) files, \(done.resumed) already measured, \(done.problems) not images", final: true)
            for directory in done.unreadable {
                FileHandle.standardError.write(Data("warning: \(directory): cannot read the directory; its files are not in the audit\n".utf8))
            }
            var sampling: ProgressBar?
            return try await StorageAudit.make(ledger: ledger, roots: directories, settings: settings) { measured, of in
                if sampling == nil { sampling = ProgressBar(label: "re-encoding the sample", total: Int64(of), counts: true) }
                sampling?.update(done: Int64(measured), detail: "\(measured)/\(of) images", final: measured == of)
            }
        }

        func write(_ audit: StorageAudit, settings: StorageAuditSettings, kinds: Set<StoragePlan.Kind>) throws {
            let text: String
            switch common.format {
            case .json: text = try JSONReport.string(StorageReportJSON(audit.report), pretty: true)
            case .html: text = audit.report.html()
            case .markdown, .text: text = audit.report.markdown()
            }
            if let out { try Data(text.utf8).write(to: URL(fileURLWithPath: out)) } else { print(text) }
            guard let plan else { return }
            if kinds.contains(.cold), coldDirectory == nil || logs.isEmpty {
                throw ValidationError("--actions cold needs --cold-dir and --logs")
            }
            let built = audit.plan(
                kinds: kinds, quarantine: quarantine ?? plan + ".quarantine", coldDirectory: coldDirectory, settings: settings)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(built).write(to: URL(fileURLWithPath: plan))
            FileHandle.standardError.write(Data("plan: \(built.actions.count) actions in \(plan)\n".utf8))
        }

        func planKinds() throws -> Set<StoragePlan.Kind> {
            var kinds = Set<StoragePlan.Kind>()
            for name in actions.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let kind = StoragePlan.Kind(rawValue: trimmed) else {
                    throw ValidationError("--actions: unknown '\(trimmed)' (deduplicate, downscale, webp, cold)")
                }
                kinds.insert(kind)
            }
            return kinds
        }

        func prices(host: String) throws -> StoragePrices {
            let model = try loadOrExit {
                let text = try ConfigFolder.read(root: common.config, file: CostsFile.path)
                return try CostsFile.parse(try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: nil, grid: GridFactors.table)
            }
            guard let prices = StoragePrices.of(host: host, in: model) else {
                throw ValidationError("--host: no host '\(host)' in \(CostsFile.path) (\(model.hosts.map(\.name).joined(separator: ", ")))")
            }
            return prices
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Carry out a plan: originals go to its quarantine with a manifest and checksums; nothing is deleted.")
        @Argument(help: "The plan file.") var plan: String

        func run() async throws {
            let loaded = try StorageCommand.loaded(plan)
            var bar = ProgressBar(label: "applying", total: Int64(max(1, loaded.actions.count)), counts: true)
            let count = try StorageCommand.reporting {
                try PlanRunner(plan: loaded).apply { bar.update(done: Int64($0), detail: "\($0)/\(loaded.actions.count) actions") }
            }
            bar.update(done: Int64(count), detail: "\(count)/\(loaded.actions.count) actions", final: true)
            print("applied \(count) of \(loaded.actions.count) actions; originals in \(loaded.quarantine)")
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reverse an applied plan exactly, checking every checksum.")
        @Argument(help: "The plan file.") var plan: String

        func run() async throws {
            let loaded = try StorageCommand.loaded(plan)
            let count = try StorageCommand.reporting { try PlanRunner(plan: loaded).undo { _ in } }
            print("undid \(count) actions")
        }
    }

    struct Checksum: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "SHA-256 of every file under the directories, on every core, in sha256sum's format (a manifest).")
        @Argument(help: "The directories.") var directories: [String]

        func run() async throws {
            try StorageCommand.reporting {
                try ImageAuditor(roots: directories).checksums { FileHandle.standardOutput.write(Data($0.utf8)) }
            }
        }
    }

    static func loaded(_ path: String) throws -> StoragePlan { try reporting { try PlanRunner.load(path) } }

    /// Prints an audit error as one line and exits 1.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ImageAuditError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
