import AlmanacFlags
import AlmanacStorage

/// The ramps people look at and steer: where each flag's ramp stands, and hold, resume, revert
/// or restart, each through the flag service so it is audited and served by every replica.
public struct RampService: Sendable {
    public enum Action: String, Sendable, CaseIterable, Decodable {
        /// Stop stepping, keep the share.
        case hold
        /// Step again from the share it held at.
        case resume
        /// Back to 0%.
        case revert
        /// From the first step again.
        case restart
    }

    /// Why a ramp cannot do what was asked.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownFlag(String)
        case noRamp(String)
        case notNow(String)

        public var description: String {
            switch self {
            case .unknownFlag(let key): return "flag '\(key)' is not defined"
            case .noRamp(let key): return "flag '\(key)' has no ramp in its file"
            case .notNow(let why): return why
            }
        }
    }

    public struct Entry: Sendable {
        public var key: String
        public var spec: RampSpec
        public var position: RampPosition?
        /// What users outside the ramp's share get.
        public var control: String?
    }

    public let flags: FlagService

    public init(flags: FlagService) {
        self.flags = flags
    }

    /// Every flag with a ramp, by key.
    public func ramps() -> [Entry] {
        let evaluator = flags.evaluator
        return evaluator.effective.keys.sorted().compactMap { key in
            guard let flag = evaluator.effective[key], let spec = flag.ramp else { return nil }
            return Entry(key: key, spec: spec, position: evaluator.runtime.ramps[key], control: flag.defaultVariant)
        }
    }

    public func ramp(_ key: String) throws(Problem) -> Entry {
        guard let flag = flags.evaluator.effective[key] else { throw .unknownFlag(key) }
        guard let spec = flag.ramp else { throw .noRamp(key) }
        return Entry(key: key, spec: spec, position: flags.evaluator.runtime.ramps[key], control: flag.defaultVariant)
    }

    /// Applies a person's action; the state it needs is checked against the saved position.
    public func control(_ key: String, _ action: Action, actor: String, comment: String) async throws -> AuditEntry {
        try await flags.refreshRuntime()
        let entry = try ramp(key)
        let now = flags.clock.milliseconds()
        let next = try Self.position(after: action, from: entry.position, spec: entry.spec, actor: actor, now: now)
        return try await flags.apply(.ramp(flagKey: key, position: next, action: "ramp-\(action.rawValue)"), actor: actor, comment: comment)
    }

    static func position(
        after action: Action, from position: RampPosition?, spec: RampSpec, actor: String, now: Int64
    ) throws(Problem)
        -> RampPosition
    {
        let status = position?.status
        switch action {
        case .hold:
            guard let position, status == .running else {
                throw .notNow("only a running ramp can be held (it is \(status?.rawValue ?? "not started"))")
            }
            return RampPosition(step: position.step, percent: position.percent, status: .held, since: now, reason: "held by \(actor)")
        case .resume:
            guard let position, status == .held else {
                throw .notNow("only a held ramp can resume (it is \(status?.rawValue ?? "not started")); a reverted one restarts")
            }
            return RampPosition(step: position.step, percent: position.percent, status: .running, since: now)
        case .revert:
            guard let position, status == .running || status == .held else {
                throw .notNow("only a running or held ramp can be reverted (it is \(status?.rawValue ?? "not started"))")
            }
            return RampPosition(step: position.step, percent: 0, status: .reverted, since: now, reason: "reverted by \(actor)")
        case .restart:
            return RampPosition(step: 0, percent: spec.steps[0], status: .running, since: now)
        }
    }
}
