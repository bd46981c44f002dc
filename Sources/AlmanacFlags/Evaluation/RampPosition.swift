import AlmanacConfig

/// Where a flag's ramp stands: kept in the database with the other run-time changes, so every
/// replica serves the same share and a restart carries on from it.
public struct RampPosition: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Steps up when its time comes and the guards hold.
        case running
        /// Stays at its share until a person resumes or reverts it.
        case held
        /// Back at 0%: nobody gets the ramp's variant.
        case reverted
        /// Reached its last step.
        case complete
    }

    /// Index of the current step in the spec's steps.
    public var step: Int
    /// The share of users served the ramp's variant, in percent.
    public var percent: Double
    public var status: Status
    /// When the current step (or status) began, in milliseconds.
    public var since: Int64
    /// Why it holds or reverted, in words.
    public var reason: String?

    public init(step: Int, percent: Double, status: Status, since: Int64, reason: String? = nil) {
        self.step = step
        self.percent = percent
        self.status = status
        self.since = since
        self.reason = reason
    }

    /// The share an audit entry's `summary` names (`10% running: ...` gives 10).
    public static func percent(summary: String) -> Double? {
        guard let end = summary.firstIndex(of: "%") else { return nil }
        return Double(summary[..<end])
    }

    /// `10% running`, `10% held: ...`, for the audit log.
    public var summary: String {
        "\(ConfigNumber.text(percent))% \(status.rawValue)" + (reason.map { ": \($0)" } ?? "")
    }
}

/// What one look at a ramp's guards found.
public enum GuardReading: Sendable, Hashable {
    case holds
    /// The guard failed: the variant is doing harm.
    case fails(String)
    /// The guard could not read its inputs: no step on a guess (fail closed).
    case unreadable(String)
}

/// The next thing a ramp does, decided from its spec, where it stands and its guards.
public enum RampDecision: Sendable, Hashable {
    case start(RampPosition)
    case step(RampPosition)
    case complete(RampPosition)
    /// A guard failed or could not be read: the file says hold, or the guard was unreadable.
    case hold(RampPosition)
    case revert(RampPosition)

    public var position: RampPosition {
        switch self {
        case .start(let p), .step(let p), .complete(let p), .hold(let p), .revert(let p): return p
        }
    }

    /// The audit log's name for it.
    public var action: String {
        switch self {
        case .start: return "ramp-start"
        case .step: return "ramp-step"
        case .complete: return "ramp-complete"
        case .hold: return "ramp-hold"
        case .revert: return "ramp-revert"
        }
    }

    /// Whether people must hear of it: a ramp that stopped on its own needs someone.
    public var needsPeople: Bool {
        switch self {
        case .hold, .revert: return true
        default: return false
        }
    }
}

extension RampSpec {
    /// The decision at `now`, or nil when the ramp stays as it is. Guards are read while the ramp
    /// runs, not only at a step: a failure mid-step holds or reverts at once; an unreadable guard
    /// always holds, whatever the file says, since nothing is known to be wrong.
    public func decide(_ position: RampPosition?, guards: [GuardReading], now: Int64) -> RampDecision? {
        guard let position else { return .start(RampPosition(step: 0, percent: steps[0], status: .running, since: now)) }
        guard position.status == .running else { return nil }
        let failures = guards.compactMap { reading -> String? in
            if case .fails(let why) = reading { return why }
            return nil
        }
        if let why = failures.first {
            var next = position
            next.since = now
            next.reason = why
            switch onFailure {
            case .hold:
                next.status = .held
                return .hold(next)
            case .revert:
                next.status = .reverted
                next.percent = 0
                return .revert(next)
            }
        }
        for case .unreadable(let why) in guards {
            var next = position
            next.status = .held
            next.since = now
            next.reason = "a guard cannot be read: \(why)"
            return .hold(next)
        }
        guard now - position.since >= every else { return nil }
        guard position.step + 1 < steps.count else {
            return .complete(RampPosition(step: position.step, percent: position.percent, status: .complete, since: now))
        }
        let index = position.step + 1
        return .step(RampPosition(step: index, percent: steps[index], status: .running, since: now))
    }
}
