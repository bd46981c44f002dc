import AlmanacAlerts
import AlmanacMetrics
import AlmanacRollout
import AlmanacStorage
import Foundation
import Logging

/// Runs rollouts: one per environment at a time under a leased lock, every step saved as it
/// ends, gates checked between waves, and every touched host rolled back on a failure.
actor RolloutManager {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
    let alerts: SQLAlertStore
    let series: SQLSeriesStore
    /// Receivers told when a rollout rolls back.
    let monitoring: MonitoringConfig
    let externalURL: String
    let logger: Logger
    /// This server's name in the lock table.
    let holder = UUID().uuidString
    /// A lock not renewed for this long is free again (a crashed server's included).
    let lease: Int64

    private var running: [String: Task<Void, Never>] = [:]
    private var requests: [String: Request] = [:]

    enum Request { case pause, abort }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    init(
        pipeline: PipelineConfig, store: SQLReleaseStore, alerts: SQLAlertStore, series: SQLSeriesStore, monitoring: MonitoringConfig, externalURL: String,
        leaseSeconds: Double, logger: Logger
    ) {
        self.lease = Int64(leaseSeconds * 1000)
        self.monitoring = monitoring
        self.externalURL = externalURL
        self.pipeline = pipeline
        self.store = store
        self.alerts = alerts
        self.series = series
        self.logger = logger
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Rollouts this server did not finish (it stopped or crashed) are marked interrupted, with
    /// hosts caught mid-deploy of unknown revision; an operator resumes or rolls back.
    func recover() async throws {
        for var rollout in try await store.rollouts(limit: 200) where !rollout.phase.isFinished && rollout.phase != .interrupted && rollout.phase != .paused {
            rollout.interrupt()
            try await store.save(rollout, at: Self.now())
            logger.warning("rollout interrupted by a restart", metadata: ["rollout": "\(rollout.id)", "environment": "\(rollout.environment)"])
        }
    }

    /// Starts rolling `environment` out to `revision`, as `actor` asked.
    func start(environment name: String, revision: String, actor: String) async throws -> Rollout {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name) else { throw Refusal(description: "no environment '\(name)' in pipeline/pipeline.yaml") }
        let target = try GitRepository.resolve(pipeline.repository, revision)
        let history = try await store.rollouts(environment: name)
        if let open = history.first(where: { !$0.phase.isFinished }) {
            throw Refusal(description: "rollout \(open.id) of \(name) is \(open.phase.rawValue): resume, roll it back or abort it first")
        }
        guard try await store.lock(environment: name, holder: holder, leaseUntil: Self.now() + lease, now: Self.now()) else {
            throw Refusal(description: "another rollout of \(name) holds the lock")
        }
        // The first rollout of an environment asks its hosts what they run: the old revision is
        // what most of them report, so a rollback has somewhere to go back to.
        var running: [String: String] = [:]
        var from = try await store.running(environment: name)
        if from == nil {
            let runner = StepRunner(pipeline: pipeline)
            for host in environment.hosts {
                if let reported = await runner.reported(host: host), let full = try? GitRepository.resolve(pipeline.repository, reported) {
                    running[host] = full
                }
            }
            from = Dictionary(grouping: running.values, by: { $0 }).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
        }
        let rollout = Rollout(
            id: "\(name)-\(Self.now())", environment: name, from: from ?? "unknown", to: target, startedBy: actor,
            waves: Pipeline.plan(hosts: environment.hosts, waves: environment.waves), running: running)
        try await store.save(rollout, at: Self.now())
        logger.notice("rollout started", metadata: ["rollout": "\(rollout.id)", "to": "\(target)", "by": "\(actor)"])
        spawn(rollout)
        return rollout
    }

    func control(_ id: String, _ action: String) async throws -> Rollout {
        guard var rollout = try await store.rollout(id: id) else { throw Refusal(description: "no rollout \(id)") }
        switch action {
        case "pause", "abort":
            if running[id] != nil {
                requests[id] = action == "pause" ? .pause : .abort
                return rollout
            }
            if action == "abort" { rollout.abort() } else { rollout.pause() }
        case "resume":
            guard running[id] == nil else { return rollout }
            guard try await store.lock(environment: rollout.environment, holder: holder, leaseUntil: Self.now() + lease, now: Self.now()) else {
                throw Refusal(description: "another server holds the lock of \(rollout.environment) until its lease ends")
            }
            rollout.resume()
            spawn(rollout)
        case "rollback":
            guard running[id] == nil else { throw Refusal(description: "pause the rollout first") }
            guard try await store.lock(environment: rollout.environment, holder: holder, leaseUntil: Self.now() + lease, now: Self.now()) else {
                throw Refusal(description: "another server holds the lock of \(rollout.environment) until its lease ends")
            }
            rollout.rollBack(because: "rolled back by an operator")
            spawn(rollout)
        default:
            throw Refusal(description: "unknown action \(action)")
        }
        try await store.save(rollout, at: Self.now())
        return rollout
    }

    /// Rolls an environment that follows a branch out to the branch's head, unless it runs it
    /// already or a rollout is open; returns the rollout started, if any, and why not otherwise.
    func follow(environment name: String) async throws -> (rollout: Rollout?, reason: String) {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name), let branch = environment.follow else {
            throw Refusal(description: "environment '\(name)' follows no branch")
        }
        let head = try GitRepository.resolve(pipeline.repository, branch)
        let history = try await store.rollouts(environment: name)
        if try await store.running(environment: name) == head { return (nil, "\(name) already runs the head of \(branch)") }
        if let open = history.first(where: { !$0.phase.isFinished }) { return (nil, "rollout \(open.id) is \(open.phase.rawValue)") }
        return (try await start(environment: name, revision: head, actor: "follow:\(branch)"), "following \(branch)")
    }

    private var followedAt: [String: Int64] = [:]

    /// Starts the daily follows that are due (the staging that runs the stable branch).
    func followDue() async {
        guard let pipeline = pipeline.current else { return }
        for environment in pipeline.environments {
            guard environment.follow != nil, let at = environment.at,
                Pipeline.followDue(minuteOfDay: at, lastRun: followedAt[environment.name] ?? Self.now(), now: Self.now())
            else { continue }
            followedAt[environment.name] = Self.now()
            do {
                let (rollout, reason) = try await follow(environment: environment.name)
                logger.notice("daily follow", metadata: ["environment": "\(environment.name)", "rollout": "\(rollout?.id ?? "none")", "reason": "\(reason)"])
            } catch {
                logger.error("daily follow failed", metadata: ["environment": "\(environment.name)", "error": "\(error)"])
            }
        }
    }

    private func spawn(_ rollout: Rollout) {
        running[rollout.id] = Task { await self.drive(rollout) }
    }

    private func take(_ id: String) -> Request? {
        defer { requests[id] = nil }
        return requests[id]
    }

    private func drive(_ start: Rollout) async {
        var rollout = start
        guard let pipeline = pipeline.current else { return }
        let runner = StepRunner(pipeline: pipeline)
        while rollout.phase == .running || rollout.phase == .rollingBack {
            switch take(rollout.id) {
            case .pause?: rollout.pause()
            case .abort?: rollout.abort()
            case nil: break
            }
            guard rollout.phase == .running || rollout.phase == .rollingBack else { break }
            _ = try? await store.lock(environment: rollout.environment, holder: holder, leaseUntil: Self.now() + lease, now: Self.now())
            if let action = rollout.next {
                let started = Self.now()
                let outcome = await runner.run(action)
                rollout.log.append(.init(
                    at: started, host: action.host, step: action.step, revision: action.revision, ok: outcome.ok, milliseconds: Self.now() - started,
                    output: outcome.output))
                if outcome.ok {
                    rollout.succeeded(action, reported: outcome.reported)
                } else {
                    let reason = outcome.output.split(separator: "\n").last.map(String.init) ?? "failed"
                    rollout.failed(action, error: reason)
                }
            } else if rollout.waveDone {
                if let problem = await gateProblem(rollout, pipeline) { rollout.rollBack(because: problem) } else { rollout.advance() }
            } else {
                break
            }
            try? await store.save(rollout, at: Self.now())
        }
        try? await store.save(rollout, at: Self.now())
        if rollout.phase.isFinished { try? await store.unlock(environment: rollout.environment, holder: holder) }
        if rollout.failure != nil && (rollout.phase == .rolledBack || rollout.phase == .interrupted) { await tellPeople(rollout) }
        logger.notice("rollout stopped", metadata: ["rollout": "\(rollout.id)", "phase": "\(rollout.phase.rawValue)", "failure": "\(rollout.failure ?? "")"])
        running[rollout.id] = nil
    }

    /// A rollout that rolled back (or got stuck rolling back) is news for the receivers.
    private func tellPeople(_ rollout: Rollout) async {
        let what = rollout.phase == .rolledBack ? "rolled back" : "stopped while rolling back"
        let text = "⏪ Rollout \(rollout.id) of \(rollout.environment) to \(rollout.to.prefix(10)) \(what): \(rollout.failure ?? "")"
        let labels = [Label("environment", rollout.environment), Label("rollout", rollout.id), Label("revision", rollout.to)]
        let notifications = monitoring.current.receivers.compactMap { receiver in
            receiver.notice(name: "RolloutRolledBack", labels: labels, text: text, summary: text, now: Self.now(), externalURL: externalURL)
                .map { (receiver: receiver.name, url: receiver.url, payload: $0) }
        }
        do { try await alerts.enqueue(notifications, at: Self.now()) } catch { logger.error("cannot queue the rollback notice", metadata: ["error": "\(error)"]) }
    }

    /// Why the next wave must not start: a changed host no longer healthy, an alert of the
    /// service firing, or the error rate above its level.
    func gateProblem(_ rollout: Rollout, _ pipeline: Pipeline) async -> String? {
        guard let environment = pipeline.environment(rollout.environment) else { return nil }
        let runner = StepRunner(pipeline: pipeline)
        for host in rollout.waves.prefix(rollout.wave + 1).joined() {
            let health = await runner.checkOnce(StepRunner.fill(pipeline.commands.health, host: host, revision: rollout.to), expected: rollout.to)
            if !health.ok { return "\(host) is no longer healthy: \(health.output.split(separator: "\n").last ?? "")" }
        }
        // Alerts of the pipeline's service, in this environment where the alert names one; a drift
        // alert (no service) must not stop the rollout that would end the drift.
        if environment.gates.alerts, let service = pipeline.service, let data = try? await alerts.loadState(),
            let state = try? JSONDecoder().decode(AlertingState.self, from: data)
        {
            let firing = state.tracker.alerts.values.filter { alert in
                alert.state == .firing && alert.labels.contains { $0.name == "service" && $0.value == service }
                    && (alert.labels.first { $0.name == "environment" }?.value ?? environment.name) == environment.name
            }
            if let alert = firing.first { return "alert \(alert.rule) fires for \(service)" }
        }
        if let gate = environment.gates.errorRate, let selector = try? Selector(gate.series) {
            let now = Self.now()
            let data = (try? await StoredSeriesSource(store: series, steps: []).select(selector, from: now - 300_000, to: now)) ?? []
            for s in data where s.labels.first(where: { $0.name == "environment" })?.value ?? environment.name == environment.name {
                if let value = s.samples.last?.value, value > gate.above {
                    return "\(gate.series) is \(value), above \(gate.above)"
                }
            }
        }
        return nil
    }
}
