import AlmanacConfig
import AlmanacFlags
import AlmanacStorage
import Foundation
import Logging
import Synchronization

/// Holds the flags that serve right now: the last good set from the files, the run-time state
/// from the database, and the evaluator built from both. Requests read one immutable snapshot;
/// reloads and changes build a new one and swap it in.
public final class FlagService: Reloadable {
    struct State: Sendable {
        var evaluator: FlagEvaluator
        var changeID: Int64
    }

    public let repository: ConfigRepository
    /// The flag files: reloaded like every domain's, the last good set kept.
    let files: ReloadingFiles<FlagSet>
    public let environment: String?
    let store: any FlagStore
    let usage = UsageCounter()
    /// First evaluations of experiments' flags, written with the usage counts.
    let exposures = ExposureRecorder()
    /// Told of every change of what serves, for OFREP's event stream.
    public let changes = FlagChanges()
    let experiments: SQLExperimentStore?
    private let logger: Logger
    private let state: Mutex<State>
    public let clock: WallClock

    /// Loads the files (refusing to start on errors) and the run-time state.
    public init(
        repository: ConfigRepository, environment: String?, store: any FlagStore, experiments: SQLExperimentStore? = nil, clock: WallClock,
        logger: Logger
    ) async throws {
        self.clock = clock
        self.experiments = experiments
        self.repository = repository
        self.environment = environment
        self.store = store
        self.logger = logger
        files = try ReloadingFiles(configDirectory: repository.root, watching: [repository.folder], clock: clock, logger: logger) { _ in
            try repository.load(environment: environment).get()
        }
        let flags = files.current
        let changeID = try await store.latestChangeID()
        let runtime = try await store.runtimeState()
        state = Mutex(State(evaluator: FlagEvaluator(flags: flags, runtime: runtime), changeID: changeID))
        logger.info("loaded flags", metadata: ["count": "\(flags.flags.count)", "environment": "\(environment ?? "-")"])
    }

    /// The snapshot to evaluate against.
    public var evaluator: FlagEvaluator { state.withLock { $0.evaluator } }

    /// Errors of the last failed reload, one `file:line: field: message` each (empty when the
    /// files on disk are serving).
    public var reloadErrors: [String] { files.errors }

    /// Re-reads the files when they changed (or always, when `force`); a new set serves with the
    /// run-time state it had, a bad edit leaves the last good set serving.
    @discardableResult
    public func reload(force: Bool = false) -> Bool {
        guard files.reload(force: force) else { return false }
        let flags = files.current
        state.withLock { $0.evaluator = FlagEvaluator(flags: flags, runtime: $0.evaluator.runtime) }
        changes.publish(at: clock.milliseconds())
        return true
    }

    /// Picks up run-time changes made by this or another replica since the last look.
    public func refreshRuntime() async throws {
        let latest = try await store.latestChangeID()
        if latest == state.withLock({ $0.changeID }) { return }
        let runtime = try await store.runtimeState()
        let changed = state.withLock { state in
            guard latest > state.changeID else { return false }
            state.evaluator = FlagEvaluator(flags: state.evaluator.flags, runtime: runtime)
            state.changeID = latest
            return true
        }
        if changed { changes.publish(at: clock.milliseconds()) }
    }

    /// Validates, persists and audits a change, then serves it; returns once it is durable. A
    /// change that does not fit the flags throws its `ChangeProblem`.
    public func apply(_ change: RuntimeChange, actor: String, comment: String) async throws -> AuditEntry {
        if let problem = change.problem(in: evaluator.flags) { throw problem }
        let now = clock.milliseconds()
        let entry = try await store.apply(change, actor: actor, comment: comment, at: now)
        logger.notice("flag changed", metadata: ["flag": "\(change.flagKey)", "action": "\(change.action)", "actor": "\(actor)"])
        try await refreshRuntime()
        return entry
    }

    /// The audit log, newest first: one flag's, or every flag's when `flagKey` is nil.
    public func auditLog(flagKey: String?, limit: Int) async throws -> [AuditEntry] {
        try await store.auditLog(flagKey: flagKey, limit: limit)
    }

    /// Changes made between two instants, for charts' markers.
    public func changes(from: Int64, to: Int64, limit: Int = 500) async throws -> [AuditEntry] {
        try await store.changes(from: from, to: to, limit: limit)
    }

    /// The flags serving now in flagd's own format, for in-process providers (flagd's sync
    /// protocol); `file` keeps those of one flag file, as flagd's selector names a source.
    public func flagdConfiguration(file: String? = nil) -> String {
        JSONWriter.string(FlagdDocument.json(evaluator, file: file))
    }

    /// Evaluation totals since start, by flag, variant and reason.
    public var evaluationTotals: [UsageCounter.Total: Int64] { usage.totals }

    /// Evaluates and counts the evaluation.
    public func evaluate(_ key: String, context: [String: JSONValue], timestamp: Int64) -> Resolution {
        let snapshot = evaluator
        let resolution = snapshot.evaluate(key, context: context, timestamp: timestamp)
        usage.count(resolution, atSeconds: timestamp)
        exposures.note(resolution, flag: snapshot.effective[key], context: context, seconds: timestamp)
        return resolution
    }

    /// Evaluates every flag against one snapshot, so a reload during the request cannot mix two
    /// sets, and counts each evaluation.
    public func evaluateAll(context: [String: JSONValue], timestamp: Int64) -> [Resolution] {
        let snapshot = evaluator
        return snapshot.flags.keys.map { key in
            let resolution = snapshot.evaluate(key, context: context, timestamp: timestamp)
            usage.count(resolution, atSeconds: timestamp)
            exposures.note(resolution, flag: snapshot.effective[key], context: context, seconds: timestamp)
            return resolution
        }
    }

    /// What the flag list shows: evaluations of the last day, and the flags that look stale
    /// over the last 30 days.
    public struct Overview: Sendable {
        public var evaluator: FlagEvaluator
        public var lastDay: [String: FlagUsage]
        public var findings: [StaleFinding]
    }

    public func overview(now: Int64? = nil) async throws -> Overview {
        let now = now ?? clock.seconds()
        let snapshot = evaluator
        let hour = now / 3600
        let month = try await store.usage(sinceHour: hour - 30 * 24)
        return Overview(
            evaluator: snapshot, lastDay: try await store.usage(sinceHour: hour - 23),
            findings: StaleFlags.findings(flags: snapshot.flags, usage: month, today: DayStamp(unixSeconds: now), windowDays: 30))
    }

    /// Writes the counted evaluations to the database.
    public func flushUsage() async {
        let counts = usage.drain()
        if !counts.isEmpty {
            do {
                try await store.record(counts)
            } catch {
                usage.restore(counts)
                logger.warning("could not save evaluation counts; will retry", metadata: ["error": "\(error)"])
            }
        }
        guard let experiments else { return }
        let exposed = exposures.drain()
        guard !exposed.isEmpty else { return }
        do {
            try await experiments.record(exposed)
        } catch {
            exposures.restore(exposed)
            logger.warning("could not save experiment exposures; will retry", metadata: ["error": "\(error)"])
        }
    }
}
