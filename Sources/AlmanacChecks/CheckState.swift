/// A check's result in the Nagios plugin convention: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
public enum CheckStatus: Int, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    /// Any other exit status is UNKNOWN, as Nagios reads it.
    public init(exitCode: Int32) { self = CheckStatus(rawValue: Int(exitCode)) ?? .unknown }

    public var description: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }
}

/// Soft while a problem has not been confirmed by `attempts` results in a row; hard once it
/// has, and for every state after it until a recovery (Nagios's state types).
public enum StateType: String, Sendable, Hashable, Codable { case soft, hard }

/// Where a check stands, and what one result did to it. The rules are Nagios's: a first problem
/// is soft; `attempts` problems in a row make it hard; a hard problem that changes (WARNING to
/// CRITICAL) stays hard; a recovery from a soft problem is a soft recovery, from a hard one a hard
/// recovery; the attempt count restarts at 1 after a hard change or a recovery.
public struct CheckTracker: Sendable, Hashable, Codable {
    public struct Step: Sendable, Hashable, Codable {
        public var status: CheckStatus
        public var type: StateType
        /// The attempt this result was, as Nagios shows "Check #".
        public var attempt: Int
        /// The status or the type changed.
        public var stateChange: Bool
        /// A hard state began or ended: what people are told and recoveries act on.
        public var hardChange: Bool
        /// Recorded for flap detection: hard states and soft recoveries.
        public var counted: Bool
    }

    public private(set) var status: CheckStatus = .ok
    public private(set) var type: StateType = .hard
    public private(set) var attempt = 1
    /// Results in a row that make a problem hard; a file's change applies from the next result.
    public var attempts: Int {
        didSet { attempts = max(1, attempts) }
    }

    public init(attempts: Int) {
        self.attempts = max(1, attempts)
    }

    public mutating func record(_ result: CheckStatus) -> Step {
        let before = (status, type)
        var step: Step
        switch (before.1, before.0 == .ok, result == .ok) {
        case (.hard, true, true):
            step = Step(status: .ok, type: .hard, attempt: 1, stateChange: false, hardChange: false, counted: true)
        case (.hard, true, false):
            let hard = attempts == 1
            step = Step(status: result, type: hard ? .hard : .soft, attempt: 1, stateChange: true, hardChange: hard, counted: hard)
            attempt = 1
        case (.soft, _, true):
            step = Step(status: .ok, type: .soft, attempt: attempt + 1, stateChange: true, hardChange: false, counted: true)
            attempt = 1
            status = .ok
            type = .hard
            return step
        case (.soft, _, false):
            attempt += 1
            let hard = attempt >= attempts
            step = Step(
                status: result, type: hard ? .hard : .soft, attempt: attempt, stateChange: hard || result != before.0, hardChange: hard,
                counted: hard)
            if hard { attempt = 1 }
        case (.hard, false, true):
            step = Step(status: .ok, type: .hard, attempt: 1, stateChange: true, hardChange: true, counted: true)
        case (.hard, false, false):
            let changed = result != before.0
            step = Step(status: result, type: .hard, attempt: 1, stateChange: changed, hardChange: changed, counted: true)
        }
        status = step.status
        type = step.type
        return step
    }
}
