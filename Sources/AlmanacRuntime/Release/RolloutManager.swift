import AlmanacAlerts
import AlmanacMetrics
import AlmanacRollout
import AlmanacStorage
import Foundation
import Logging

/// What a person can do to a rollout.
public enum RolloutControl: String, Sendable, CaseIterable {
    case pause, resume, abort, rollback
}

/// Why a rollout request was refused, by kind, so each edge answers it in its own terms.
public enum RolloutError: Error, Sendable, CustomStringConvertible {
    /// No such environment or rollout.
    case notFound(String)
    /// The environment is busy or the rollout is in the wrong phase.
    case conflict(String)
    /// The revision is not one git knows.
    case badRevision(String)
    /// The service's error budget is spent (or cannot be read) and nobody overrode the policy.
    case budget(String)

    public var description: String {
        switch self {
        case .notFound(let message), .conflict(let message), .badRevision(let message), .budget(let message): return message
        }
    }
}

/// Runs rollouts: one per environment at a time under a leased lock, every step saved as it
/// ends, gates checked between waves, and every touched host rolled back on a failure. Fails
/// closed: a gate that cannot read its inputs holds the rollout, and a lost lease or a step that
/// cannot be saved stops it.
public actor RolloutManager {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
    let alerts: SQLAlertStore
    let gates: RolloutGates
    /// Receivers told when a rollout rolls back or is held.
    let monitoring: MonitoringConfig
    let externalURL: String
    let logger: Logger
    let clock: WallClock
    /// This server's name in the lock table.
    let holder = UUID().uuidString
    /// A lock not renewed for this long is free again (a crashed server's included).
    let lease: Int64
    /// How often alert rules run: a host's window stays open that long after it is back.
    let ruleInterval: Int64

    private var running: [String: Task<Void, Never>] = [:]
    private var requests: [String: (action: RolloutControl, record: Rollout.Control)] = [:]
    private var followedAt: [String: Int64] = [:]
    /// Why the service's error budget forbids a rollout now (an SLO spent), or nil.
    let budgetGate: @Sendable (_ service: String) async throws -> String?

    public init(
        pipeline: PipelineConfig, store: SQLReleaseStore, alerts: SQLAlertStore, series: SQLSeriesStore, monitoring: MonitoringConfig,
        externalURL: String, leaseSeconds: Double, ruleIntervalSeconds: Double = 15, clock: WallClock, logger: Logger,
        budgetGate: @escaping @Sendable (_ service: String) async throws -> String? = { _ in nil }
    ) {
        self.budgetGate = budgetGate
        self.lease = Int64(leaseSeconds * 1000)
        self.ruleInterval = Int64(ruleIntervalSeconds * 1000)
        self.monitoring = monitoring
        self.externalURL = externalURL
        self.pipeline = pipeline
        self.store = store
        self.alerts = alerts
        self.gates = RolloutGates(alerts: alerts) { monitoring.current.seriesSource(store: series) }
        self.logger = logger
        self.clock = clock
    }

    /// Rollouts no server is running any more (it stopped or crashed) are marked interrupted,
    /// with hosts caught mid-deploy of unknown revision; an operator resumes or rolls back. A
    /// rollout whose environment lock another replica still renews is that replica's to finish.
    public func recover() async throws {
        for var rollout in try await store.rollouts(limit: 200)
        where !rollout.phase.isFinished && rollout.phase != .interrupted && rollout.phase != .paused {
            if running[rollout.environment] != nil { continue }
            if try await store.isLocked(environment: rollout.environment, now: clock.milliseconds()) { continue }
            rollout.interrupt()
            try await store.save(rollout, at: clock.milliseconds())
            logger.warning("rollout interrupted by a restart", metadata: ["rollout": "\(rollout.id)", "environment": "\(rollout.environment)"])
        }
    }

    /// Starts rolling `environment` out to `revision`, as `actor` asked.
    public func start(environment name: String, revision: String, actor: String, overridingBudget reason: String? = nil) async throws -> Rollout {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name) else {
            throw RolloutError.notFound("no environment '\(name)' in pipeline/pipeline.yaml")
        }
        let override = try await checkBudget(environment, pipeline, actor: actor, reason: reason)
        let target: String
        do { target = try await GitRepository.resolve(pipeline.repository, revision) } catch { throw RolloutError.badRevision(error.description) }
        if let open = try await store.rollouts(environment: name).first(where: { !$0.phase.isFinished }) {
            throw RolloutError.conflict("rollout \(open.id) of \(name) is \(open.phase.rawValue): resume, roll it back or abort it first")
        }
        if let patch = try await missingPatch(environment, pipeline, revision: target) {
            throw RolloutError.conflict("\(target.prefix(10)) needs patch \(patch), not applied on \(name): apply it first")
        }
        try await takeLock(name)
        let from = try await store.running(environment: name)
        let reported = from == nil ? await runningRevisions(environment, pipeline) : [:]
        // The first rollout of an environment asks its hosts what they run: the old revision is
        // what most of them report, so a rollback has somewhere to go back to.
        let majority = Dictionary(grouping: reported.values, by: { $0 }).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
        var rollout = Rollout(
            id: "\(name)-\(clock.milliseconds())", environment: name, from: from ?? majority ?? "unknown", to: target, startedBy: actor,
            waves: pipeline.stages(environment).flatMap(\.waves), running: reported,
            roles: pipeline.hostRoles(environment), holding: pipeline.holding(environment))
        if let override { rollout.controls = [override] }
        try await store.save(rollout, at: clock.milliseconds())
        logger.notice("rollout started", metadata: ["rollout": "\(rollout.id)", "to": "\(target)", "by": "\(actor)"])
        spawn(rollout)
        return rollout
    }

    /// The budget policy: with the gate on and an SLO of the service spent, a rollout starts only
    /// with an operator's reason, which the rollout records; a budget that cannot be read stops it.
    private func checkBudget(
        _ environment: Pipeline.Environment, _ pipeline: Pipeline, actor: String, reason: String?
    ) async throws -> Rollout.Control? {
        guard environment.gates.budget, let service = pipeline.service else { return nil }
        let spent: String?
        do { spent = try await budgetGate(service) } catch { throw RolloutError.budget("the error budget of \(service) cannot be read: \(error)") }
        guard let spent else { return nil }
        let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !why.isEmpty else {
            throw RolloutError.budget("\(spent): \(environment.name) is held by the budget policy; an operator may override it with a reason")
        }
        logger.notice("budget policy overridden", metadata: ["environment": "\(environment.name)", "by": "\(actor)", "why": "\(why)"])
        return Rollout.Control(at: clock.milliseconds(), action: "override budget: \(spent); \(why)", by: actor)
    }

    /// What each host reports running, resolved to full revisions; hosts that do not answer, or
    /// name a revision the repository does not have, are left out.
    private func runningRevisions(_ environment: Pipeline.Environment, _ pipeline: Pipeline) async -> [String: String] {
        let runner = StepRunner(pipeline: pipeline, environment: environment)
        var running: [String: String] = [:]
        for host in environment.hosts {
            guard let reported = await runner.reported(host: host) else { continue }
            do {
                running[host] = try await GitRepository.resolve(pipeline.repository, reported)
            } catch {
                logger.warning("a host reports a revision the repository does not have", metadata: ["host": "\(host)", "error": "\(error)"])
            }
        }
        return running
    }

    private func takeLock(_ environment: String) async throws {
        guard try await store.lock(environment: environment, holder: holder, leaseUntil: clock.milliseconds() + lease, now: clock.milliseconds())
        else {
            throw RolloutError.conflict("another server holds the lock of \(environment) until its lease ends")
        }
    }

    public func control(_ id: String, _ action: RolloutControl, actor: String) async throws -> Rollout {
        guard var rollout = try await store.rollout(id: id) else { throw RolloutError.notFound("no rollout \(id)") }
        let record = Rollout.Control(at: clock.milliseconds(), action: action.rawValue, by: actor)
        // Only a rollback acts on a finished rollout (it undoes the release); anything else would
        // record a control that did nothing, and a resume would take the environment's lock.
        if rollout.phase.isFinished && action != .rollback {
            throw RolloutError.conflict("rollout \(id) is \(rollout.phase.rawValue): there is nothing to \(action.rawValue)")
        }
        switch action {
        case .pause, .abort:
            if running[id] != nil {
                // The loop applies it (and records who asked) at its next step.
                requests[id] = (action, record)
                return rollout
            }
            if action == .abort { rollout.abort() } else { rollout.pause() }
        case .resume:
            guard running[id] == nil else { return rollout }
            try await takeLock(rollout.environment)
            rollout.resume()
        case .rollback:
            guard running[id] == nil else { throw RolloutError.conflict("pause the rollout first") }
            try await takeLock(rollout.environment)
            rollout.rollBack(because: "rolled back by an operator")
        }
        rollout.controls = (rollout.controls ?? []) + [record]
        // Saved before its loop starts, so this save cannot land after the loop's first step.
        try await store.save(rollout, at: clock.milliseconds())
        if action == .resume || action == .rollback { spawn(rollout) }
        return rollout
    }

    /// Rolls an environment that follows a branch out to the branch's head, unless it runs it
    /// already or a rollout is open; returns the rollout started, if any, and why not otherwise.
    public func follow(environment name: String) async throws -> (rollout: Rollout?, reason: String) {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name), let branch = environment.follow else {
            throw RolloutError.notFound("environment '\(name)' follows no branch")
        }
        let head: String
        do { head = try await GitRepository.resolve(pipeline.repository, branch) } catch { throw RolloutError.badRevision(error.description) }
        if try await store.running(environment: name) == head { return (nil, "\(name) already runs the head of \(branch)") }
        if let open = try await store.rollouts(environment: name).first(where: { !$0.phase.isFinished }) {
            return (nil, "rollout \(open.id) is \(open.phase.rawValue)")
        }
        // The schema first: every pending patch is applied (staging tries them before production),
        // then the code; a patch that does not apply stops the follow.
        if pipeline.database != nil, environment.database != nil {
            do {
                _ = try await patchService(pipeline).apply(environment: name, actor: "follow:\(branch)")
            } catch {
                return (nil, "the patches did not apply: \(error)")
            }
        }
        return (try await start(environment: name, revision: head, actor: "follow:\(branch)"), "following \(branch)")
    }

    /// Starts the daily follows that are due (the staging that runs the stable branch).
    public func followDue() async {
        guard let pipeline = pipeline.current else { return }
        for environment in pipeline.environments {
            guard environment.follow != nil, let at = environment.at,
                Pipeline.followDue(minuteOfDay: at, lastRun: followedAt[environment.name] ?? clock.milliseconds(), now: clock.milliseconds())
            else { continue }
            followedAt[environment.name] = clock.milliseconds()
            do {
                let (rollout, reason) = try await follow(environment: environment.name)
                logger.notice(
                    "daily follow", metadata: ["environment": "\(environment.name)", "rollout": "\(rollout?.id ?? "none")", "reason": "\(reason)"])
            } catch {
                logger.error("daily follow failed", metadata: ["environment": "\(environment.name)", "error": "\(error)"])
            }
        }
    }

    private func spawn(_ rollout: Rollout) {
        running[rollout.id] = Task { await self.drive(rollout) }
    }

    /// The control a person asked for while the rollout's loop was busy, taken once.
    func take(_ id: String) -> (action: RolloutControl, record: Rollout.Control)? {
        defer { requests[id] = nil }
        return requests[id]
    }

    func forget(_ id: String) {
        running[id] = nil
    }
}
