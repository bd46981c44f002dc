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
        /// Errors of the newest reload attempt, when it failed and the last good set kept serving.
        var reloadErrors: [String]
        var fingerprint: String
        var loadedAt: Date
    }

    public let repository: ConfigRepository
    public let environment: String?
    public let store: any FlagStore
    let usage = UsageCounter()
    private let logger: Logger
    private let state: Mutex<State>

    /// Loads the files (refusing to start on errors) and the run-time state.
    public init(repository: ConfigRepository, environment: String?, store: any FlagStore, logger: Logger) async throws {
        self.repository = repository
        self.environment = environment
        self.store = store
        self.logger = logger
        let fingerprint = repository.fingerprint()
        let flags = try repository.load(environment: environment).get()
        let changeID = try await store.latestChangeID()
        let runtime = try await store.runtimeState()
        state = Mutex(State(
            evaluator: FlagEvaluator(flags: flags, runtime: runtime), changeID: changeID, reloadErrors: [],
            fingerprint: fingerprint, loadedAt: Date()))
        logger.info("loaded flags", metadata: ["count": "\(flags.flags.count)", "environment": "\(environment ?? "-")"])
    }

    /// The snapshot to evaluate against.
    public var evaluator: FlagEvaluator { state.withLock { $0.evaluator } }

    /// Errors of the last failed reload (empty when the files on disk are serving).
    public var reloadErrors: [String] { state.withLock { $0.reloadErrors } }

    /// Re-reads the files when they changed (or always, when `force`). A bad edit is logged and
    /// kept for display, and the last good set keeps serving.
    @discardableResult
    public func reload(force: Bool = false) -> Bool {
        let fingerprint = repository.fingerprint()
        if !force && fingerprint == state.withLock({ $0.fingerprint }) { return false }
        switch repository.load(environment: environment) {
        case .success(let flags):
            state.withLock { state in
                state.evaluator = FlagEvaluator(flags: flags, runtime: state.evaluator.runtime)
                state.reloadErrors = []
                state.fingerprint = fingerprint
                state.loadedAt = Date()
            }
            logger.info("reloaded flags", metadata: ["count": "\(flags.flags.count)"])
            return true
        case .failure(let errors):
            state.withLock { state in
                state.reloadErrors = errors.lines
                state.fingerprint = fingerprint
            }
            logger.error("flag files have errors; the last good set keeps serving", metadata: ["errors": "\(errors)"])
            return false
        }
    }

    /// Picks up run-time changes made by this or another replica since the last look.
    public func refreshRuntime() async throws {
        let latest = try await store.latestChangeID()
        if latest == state.withLock({ $0.changeID }) { return }
        let runtime = try await store.runtimeState()
        state.withLock { state in
            guard latest > state.changeID else { return }
            state.evaluator = FlagEvaluator(flags: state.evaluator.flags, runtime: runtime)
            state.changeID = latest
        }
    }

    /// Validates, persists and audits a change, then serves it; returns once it is durable. A
    /// change that does not fit the flags throws its `ChangeProblem`.
    public func apply(_ change: RuntimeChange, actor: String, comment: String) async throws -> AuditEntry {
        if let problem = change.problem(in: evaluator.flags) { throw problem }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let entry = try await store.apply(change, actor: actor, comment: comment, at: now)
        logger.notice("flag changed", metadata: ["flag": "\(change.flagKey)", "action": "\(change.action)", "actor": "\(actor)"])
        try await refreshRuntime()
        return entry
    }

    /// Evaluation totals since start, by flag, variant and reason.
    public var evaluationTotals: [UsageCounter.Total: Int64] { usage.totals }

    /// Evaluates and counts the evaluation.
    public func evaluate(_ key: String, context: [String: JSONValue], timestamp: Int64) -> Resolution {
        let resolution = evaluator.evaluate(key, context: context, timestamp: timestamp)
        usage.count(resolution, atSeconds: timestamp)
        return resolution
    }

    /// Evaluates every flag against one snapshot, so a reload during the request cannot mix two
    /// sets, and counts each evaluation.
    public func evaluateAll(context: [String: JSONValue], timestamp: Int64) -> [Resolution] {
        let snapshot = evaluator
        return snapshot.flags.keys.map { key in
            let resolution = snapshot.evaluate(key, context: context, timestamp: timestamp)
            usage.count(resolution, atSeconds: timestamp)
            return resolution
        }
    }

    /// Writes the counted evaluations to the database.
    public func flushUsage() async {
        let counts = usage.drain()
        guard !counts.isEmpty else { return }
        do {
            try await store.record(counts)
        } catch {
            usage.restore(counts)
            logger.warning("could not save evaluation counts; will retry", metadata: ["error": "\(error)"])
        }
    }
}
