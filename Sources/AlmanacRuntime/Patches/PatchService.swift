import AlmanacPatches
import AlmanacRollout
import AlmanacStorage
import Foundation
import Logging

/// Database patches of the pipeline's environments: the patch folder read and classified, what
/// each environment's database has applied, and applying what is pending.
public struct PatchService: Sendable {
    let configDirectory: String
    let pipeline: Pipeline
    let clock: WallClock
    let logger: Logger
    /// Where environment variables are read (the process's, or a test's).
    let environment: @Sendable (String) -> String?

    public init(
        configDirectory: String, pipeline: Pipeline, clock: WallClock, logger: Logger,
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] }
    ) {
        (self.configDirectory, self.pipeline, self.clock, self.logger, self.environment) = (configDirectory, pipeline, clock, logger, environment)
    }

    /// The patches of `pipeline`, read from its config repository; without a logger, one that
    /// says warnings only (pages and drift rounds ask often).
    public init(pipeline: Pipeline, clock: WallClock, logger: Logger? = nil) {
        var quiet = Logger(label: "almanac")
        quiet.logLevel = .warning
        self.init(configDirectory: pipeline.directory ?? ".", pipeline: pipeline, clock: clock, logger: logger ?? quiet)
    }

    var settings: Pipeline.DatabaseSettings? { pipeline.database }

    /// The patch folder, read and classified; a bad patch is an error naming its file and line.
    public func patches() throws -> PatchSet {
        guard let settings else { throw PatchError.window("pipeline/pipeline.yaml has no database: section") }
        let folder = configDirectory + "/" + settings.patches
        if settings.sqitch { return try sqitchProject(folder, settings.patches) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var files: [(name: String, text: String)] = []
        for name in names where name.hasSuffix(".sql") {
            do { files.append((name, try PatchReader.read(folder + "/" + name))) } catch {
                throw PatchSet.Problem(file: settings.patches + "/" + name, line: error.line, message: error.message)
            }
        }
        return try PatchSet.read(folder: settings.patches, files: files)
    }

    /// A sqitch project as sqitch leaves it: the plan, and the deploy and verify scripts it names.
    func sqitchProject(_ folder: String, _ shown: String) throws -> PatchSet {
        let plan: String
        do { plan = try PatchReader.read(folder + "/sqitch.plan") } catch {
            throw PatchSet.Problem(file: shown + "/sqitch.plan", line: error.line, message: error.message)
        }
        var scripts: [String: String] = [:]
        for kind in ["deploy", "verify"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + kind)) ?? [] where name.hasSuffix(".sql") {
                do { scripts[kind + "/" + name] = try PatchReader.read(folder + "/" + kind + "/" + name) } catch {
                    throw PatchSet.Problem(file: shown + "/" + kind + "/" + name, line: error.line, message: error.message)
                }
            }
        }
        return try PatchSet.read(sqitch: shown, plan: plan, scripts: scripts)
    }

    /// Runs `body` on the environment's database; a database that cannot be reached stops it.
    public func withDatabase<R: Sendable>(_ name: String, _ body: (Database) async throws -> R) async throws -> R {
        guard let environment = pipeline.environment(name) else { throw RolloutError.notFound("no environment '\(name)' in pipeline/pipeline.yaml") }
        guard let variable = environment.database else { throw RolloutError.notFound("environment '\(name)' names no database") }
        guard let url = self.environment(variable), !url.isEmpty else {
            throw PatchError.unreachable("\(variable) is not set: the URL of \(name)'s database comes from it")
        }
        let database: Database
        do { database = try await Database.connect(url: url, dataDirectory: "", logger: logger) } catch {
            throw PatchError.unreachable("\(name)'s database cannot be reached: \(DatabaseError(error, url: url).message)")
        }
        do {
            let result = try await body(database)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }

    func applier(_ database: Database, actor: String) throws -> PatchApplier {
        guard let settings else { throw PatchError.window("pipeline/pipeline.yaml has no database: section") }
        let runner = StepRunner(pipeline: pipeline)
        return PatchApplier(database: database, settings: settings, clock: clock, actor: actor) { command in
            let outcome = await runner.shell(command, timeout: pipeline.deployTimeout)
            return (outcome.ok, outcome.output)
        }
    }

    /// The patches `environment`'s database has not applied yet.
    public func pending(environment: String) async throws -> [PatchSet.Patch] {
        let set = try patches()
        return try await withDatabase(environment) { try await applier($0, actor: "").pending(set) }
    }

    /// The ledger of `environment`'s database.
    public func ledger(environment: String) async throws -> [PatchLedger.Entry] {
        try await withDatabase(environment) { try await PatchLedger(database: $0).entries() }
    }

    public func apply(environment: String, upTo last: String? = nil, actor: String) async throws -> [PatchApplier.Applied] {
        let set = try patches()
        if let last, set.patch(last) == nil { throw RolloutError.notFound("no patch \(last) in \(settings?.patches ?? "")") }
        return try await withDatabase(environment) { database in
            let applied = try await applier(database, actor: actor).apply(set, upTo: last)
            for one in applied {
                logger.notice("patch applied", metadata: ["environment": "\(environment)", "patch": "\(one.name)", "by": "\(actor)"])
            }
            return applied
        }
    }
}

extension PatchService {
    /// One patch as an environment's page shows it: predicted and seen locks, where it stands,
    /// its time on the staging database and, for a cold one, the window to expect.
    public struct Row: Sendable {
        public var name: String
        public var verdict: StatementClass.Verdict
        public var predicted: String
        public var seen: String?
        public var status: String
        public var milliseconds: Int64?
        public var stagingMilliseconds: Int64?
        public var expectedWindow: Int64?
        public var error: String?
    }

    /// The environment that tries patches first: the one following a branch (the daily staging).
    func staging(besides name: String) -> Pipeline.Environment? {
        pipeline.environments.first { $0.name != name && $0.follow != nil && $0.database != nil }
    }

    /// Every patch against `environment`'s ledger and staging's; a database that cannot be read
    /// leaves its columns empty and says why.
    public func report(environment name: String) async throws -> (rows: [Row], problems: [String]) {
        let set = try patches()
        var problems: [String] = []
        func ledger(of environment: String) async -> [PatchLedger.Entry] {
            do { return try await self.ledger(environment: environment) } catch {
                problems.append("\(environment): \(error)")
                return []
            }
        }
        let here = await ledger(of: name)
        var staging: [PatchLedger.Entry] = []
        if let other = self.staging(besides: name) { staging = await ledger(of: other.name) }
        let rows = set.patches.map { patch in
            let entry = here.first { $0.name == patch.name }
            let tried = staging.first { $0.name == patch.name && $0.status == "applied" }
            let predicted = patch.classes.flatMap(\.locks).map { "\($0.table): \($0.mode.sql)" }
            return Row(
                name: patch.name, verdict: patch.verdict, predicted: Array(Set(predicted)).sorted().joined(separator: ", "),
                seen: entry?.locks ?? tried?.locks,
                status: entry?.status ?? "pending", milliseconds: entry?.milliseconds, stagingMilliseconds: tried?.milliseconds,
                expectedWindow: patch.verdict == .cold ? tried?.windowMilliseconds ?? tried?.milliseconds : nil, error: entry?.error)
        }
        return (rows, problems)
    }
}

extension PatchService {
    /// How an environment's database differs from staging's beyond what the ledgers explain:
    /// ledger rows that no patch file backs or whose checksum is not the file's, and, when both
    /// ledgers list the same patches, every schema line one has and the other has not.
    public struct Drift: Sendable {
        public var environment: String
        public var staging: String
        public var differences: [String]
        /// Why the schemas were not compared (staging ahead by pending patches), when they were not.
        public var notCompared: String?
    }

    public func drift(environment name: String) async throws -> Drift? {
        guard let staging = staging(besides: name), pipeline.environment(name)?.database != nil else { return nil }
        let set = try patches()
        let here = try await ledger(environment: name).filter { $0.status == "applied" }
        let there = try await ledger(environment: staging.name).filter { $0.status == "applied" }
        var differences: [String] = []
        for entry in here {
            guard let patch = set.patch(entry.name) else {
                differences.append("ledger: \(name) lists \(entry.name), which \(settings?.patches ?? "") does not have")
                continue
            }
            if entry.checksum != PatchApplier.checksum(patch.text) {
                differences.append("ledger: \(name) lists \(entry.name) with a checksum that is not its file's")
            }
        }
        var drift = Drift(environment: name, staging: staging.name, differences: differences)
        let (mine, theirs) = (Set(here.map(\.name)), Set(there.map(\.name)))
        guard mine == theirs else {
            let ahead = theirs.subtracting(mine).sorted()
            drift.notCompared =
                ahead.isEmpty
                ? "\(name) has applied \(mine.subtracting(theirs).sorted().joined(separator: ", ")), which \(staging.name) has not"
                : "\(staging.name) is ahead by \(ahead.joined(separator: ", "))"
            if ahead.isEmpty { drift.differences.append("ledger: " + drift.notCompared!) }
            return drift
        }
        let schemas = try await (
            withDatabase(name) { try await SchemaSnapshot.read($0) }, withDatabase(staging.name) { try await SchemaSnapshot.read($0) }
        )
        let diff = SchemaDiff(schemas.0, schemas.1)
        drift.differences += diff.onlyInFirst.map { "only in \(name): \($0)" } + diff.onlyInSecond.map { "only in \(staging.name): \($0)" }
        return drift
    }
}
