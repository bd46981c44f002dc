/// One rollout of one environment to one revision: waves of hosts, each host drained, deployed,
/// checked and undrained in turn; on a failure every host already touched goes back to the old
/// revision. Pure and `Codable`: the server persists it after every step, so a restart knows
/// exactly where each host stands.
public struct Rollout: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        case running, paused
        case rollingBack = "rolling-back"
        case succeeded
        case rolledBack = "rolled-back"
        case aborted
        /// The server stopped in the middle: nothing runs until an operator resumes or rolls back.
        case interrupted

        public var isFinished: Bool { self == .succeeded || self == .rolledBack || self == .aborted }
    }

    /// A host's steps in order. `hold` and `release` happen only on hosts with scheduled jobs:
    /// new runs held and running ones waited for before the drain, runs resumed after the undrain.
    /// `cleanup` runs once on each host of a role that has it, after the whole rollout succeeded.
    public enum Step: String, Sendable, Codable, CaseIterable {
        case hold, drain, deploy, check, undrain, release, cleanup
    }

    public struct Host: Sendable, Codable, Equatable {
        public var name: String
        /// The revision the host is known to run; nil while a deploy is under way or failed.
        public var revision: String?
        /// The last step done towards the rollout's target (or, rolling back, its origin).
        public var done: Step?
        public var error: String?
    }

    public var id: String
    public var environment: String
    public var from: String
    public var to: String
    public var startedBy: String
    public var waves: [[String]]
    public var wave = 0
    public var hosts: [String: Host]
    public var phase = Phase.running
    public var failure: String?
    /// Why the rollout stands paused when it was not a person who paused it (a gate that could
    /// not read its inputs); cleared on resume.
    public var held: String?
    /// Every step run, with its output (size-limited) and how long it took.
    public var log: [Entry] = []
    /// Who paused, resumed, aborted or rolled back, and when (optional: rollouts stored before had none).
    public var controls: [Control]?
    /// Each host's role, where the pipeline has roles (the waves then go stage by stage).
    public var roles: [String: String]?
    /// Hosts with scheduled jobs to hold while they change.
    public var holding: [String]?

    public struct Control: Sendable, Codable, Equatable {
        public var at: Int64
        public var action: String
        public var by: String

        public init(at: Int64, action: String, by: String) {
            self.at = at
            self.action = action
            self.by = by
        }
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var at: Int64
        public var host: String
        public var step: Step
        public var revision: String
        public var ok: Bool
        public var milliseconds: Int64
        public var output: String

        public init(at: Int64, host: String, step: Step, revision: String, ok: Bool, milliseconds: Int64, output: String) {
            self.at = at
            self.host = host
            self.step = step
            self.revision = revision
            self.ok = ok
            self.milliseconds = milliseconds
            // Command output is for reading what went wrong, not for storing a whole build log.
            self.output = output.count > 4000 ? String(output.prefix(2000)) + "\n…\n" + String(output.suffix(1900)) : output
        }
    }

    /// `running` is what each host was seen running, where known; the rest are taken to run `from`.
    public init(
        id: String, environment: String, from: String, to: String, startedBy: String, waves: [[String]], running: [String: String] = [:],
        roles: [String: String]? = nil, holding: [String]? = nil
    ) {
        self.roles = roles
        self.holding = holding
        self.id = id
        self.environment = environment
        self.from = from
        self.to = to
        self.startedBy = startedBy
        self.waves = waves
        hosts = Dictionary(uniqueKeysWithValues: waves.joined().map { ($0, Host(name: $0, revision: running[$0] ?? from)) })
    }

    /// What to do next: a step on a host, towards a revision; nil when waiting or finished.
    public struct Action: Sendable, Equatable {
        public var host: String
        public var step: Step
        public var revision: String

        public init(host: String, step: Step, revision: String) {
            self.host = host
            self.step = step
            self.revision = revision
        }
    }

    func holds(_ host: String) -> Bool { holding?.contains(host) ?? false }

    /// The step a host takes after `step`; nil when it is done.
    func after(_ step: Step?, host: String) -> Step? {
        switch step {
        case nil: return holds(host) ? .hold : .drain
        case .hold: return .drain
        case .drain: return .deploy
        case .deploy: return .check
        case .check: return .undrain
        case .undrain: return holds(host) ? .release : nil
        case .release, .cleanup: return nil
        }
    }

    /// The last step of a host that went all the way.
    func last(_ host: String) -> Step { holds(host) ? .release : .undrain }

    /// The next action. Hosts of a wave go one at a time, so a wave never takes every host out of
    /// the load balancer at once; between waves the caller checks the gates (`waveDone`).
    public var next: Action? {
        switch phase {
        case .running:
            guard wave < waves.count else { return nil }
            for name in waves[wave] {
                let host = hosts[name]!
                if host.revision == to && host.done == last(name) { continue }
                return after(host.done, host: name).map { Action(host: name, step: $0, revision: to) }
            }
            return nil
        case .rollingBack:
            // Newest first: the host that failed is usually drained already and goes back first.
            for name in waves.joined().reversed() where touched(name) {
                let host = hosts[name]!
                return after(host.done, host: name).map { Action(host: name, step: $0, revision: from) }
            }
            return nil
        default:
            return nil
        }
    }

    /// A host that is not known to run the old revision with its steps complete.
    func touched(_ name: String) -> Bool {
        let host = hosts[name]!
        return !(host.revision == from && (host.done == nil || host.done == last(name)))
    }

    /// Whether the current wave is complete, so its gates can be checked.
    public var waveDone: Bool {
        phase == .running && wave < waves.count && waves[wave].allSatisfy { hosts[$0]!.revision == to && hosts[$0]!.done == last($0) }
    }

    /// A step finished; `revision` is what the host reported after a deploy or check.
    public mutating func succeeded(_ action: Action, reported revision: String? = nil) {
        guard var host = hosts[action.host] else { return }
        host.done = action.step
        host.error = nil
        switch action.step {
        case .deploy: host.revision = nil
        case .check: host.revision = revision ?? action.revision
        case .hold, .drain, .undrain, .release, .cleanup: break
        }
        hosts[action.host] = host
        if phase == .rollingBack, !waves.joined().contains(where: touched) {
            phase = .rolledBack
        }
    }

    /// A step failed: the rollout rolls back every host it touched.
    public mutating func failed(_ action: Action, error: String) {
        hosts[action.host]?.error = error
        if action.step == .deploy || action.step == .check { hosts[action.host]?.revision = nil }
        if phase == .rollingBack {
            // Rolling back must not stop at the first trouble; the host stays marked for people.
            phase = .interrupted
            failure = (failure.map { $0 + "; " } ?? "") + "rollback of \(action.host) failed at \(action.step.rawValue): \(error)"
            return
        }
        rollBack(because: "\(action.host): \(action.step.rawValue) failed: \(error)")
    }

    /// Stops going forward and returns every touched host to `from`.
    public mutating func rollBack(because reason: String) {
        failure = reason
        // A host mid-way restarts its steps towards the old revision from the drain (held, when it holds jobs).
        for (name, host) in hosts where touched(name) {
            hosts[name]?.done = host.done == .drain || host.done == .hold ? host.done : nil
        }
        phase = .rollingBack
        if !waves.joined().contains(where: touched) { phase = .rolledBack }
    }

    /// The gates of the finished wave held: the next wave starts, or the rollout is done.
    public mutating func advance() {
        guard waveDone else { return }
        wave += 1
        if wave == waves.count { phase = .succeeded }
    }

    public mutating func pause() { if phase == .running { phase = .paused } }

    /// A job could not be held or resumed: nothing is wrong with the revision, so the rollout
    /// stops where it is (no rollback) until a person resumes or rolls it back. Rolling back,
    /// it stops as any failure there does.
    public mutating func stalled(_ action: Action, error: String) {
        guard phase == .running else { return failed(action, error: error) }
        hosts[action.host]?.error = error
        hold(because: "\(action.host): \(action.step.rawValue): \(error)")
    }

    /// Stops going forward until a person looks: a gate could not tell whether the next wave is safe.
    public mutating func hold(because reason: String) {
        guard phase == .running else { return }
        phase = .paused
        held = reason
    }

    public mutating func resume() {
        guard phase == .paused || phase == .interrupted else { return }
        phase = failure == nil ? .running : .rollingBack
        held = nil
    }
    public mutating func abort() {
        if phase == .running || phase == .paused || phase == .interrupted { phase = .aborted }
    }

    /// After a restart: a rollout that was moving is marked interrupted, and a host caught in a
    /// deploy is of unknown revision until checked.
    public mutating func interrupt() {
        guard !phase.isFinished else { return }
        if phase == .running || phase == .rollingBack { phase = .interrupted }
        for (name, host) in hosts where host.done == .deploy { hosts[name]?.revision = nil }
    }
}

extension Rollout {
    /// The moments a chart marks: the start, and the first step back to the old revision when
    /// the rollout went back (a failed step or a person's rollback).
    public func moments(startedAt: Int64) -> [(at: Int64, rollback: Bool, text: String)] {
        let by = startedBy.isEmpty ? "" : " by \(startedBy)"
        var out = [(startedAt, false, "rollout of \(environment) to \(to.prefix(10))\(by)")]
        if from != to, let back = log.first(where: { $0.revision == from && $0.at >= startedAt }) {
            out.append((back.at, true, "rollback of \(environment) to \(from.prefix(10))" + (failure.map { ": \($0)" } ?? "")))
        }
        return out
    }
}
