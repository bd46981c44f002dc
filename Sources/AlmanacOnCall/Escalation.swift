/// How an alert reaches people, from `oncall/*.yaml`: the steps of a rotation notified in turn,
/// each after its wait, the whole list again `repeats` more times, until someone acknowledges.
/// An acknowledgement lasts `acknowledgementLasts`; a forgotten alert then starts over.
public struct EscalationPolicy: Sendable {
    public enum Target: Sendable, Equatable {
        /// Whoever holds this layer of the rotation.
        case layer(String)
        /// Every member of the rotation's team.
        case team
    }

    public struct Step: Sendable, Equatable {
        public var target: Target
        /// How long after this step the next one comes.
        public var wait: Int64
    }

    public var name: String
    /// Over an alert's labels, `alertname` and `service`, as silences match.
    public var matchers: String
    public var rotation: String
    public var steps: [Step]
    /// Receivers of `monitoring/notifications.yaml` that get every step too (a team channel).
    public var receivers: [String] = []
    public var repeats: Int
    public var acknowledgementLasts: Int64
    public var file: String
    public var line: Int

    /// One round's length: every step's wait.
    public var roundLength: Int64 { steps.map(\.wait).reduce(0, +) }
    /// Steps in all rounds.
    public var stepCount: Int { steps.count * (repeats + 1) }

    /// When step `index` (counted over all rounds) is due, for an escalation that began at `start`.
    public func dueTime(of index: Int, start: Int64) -> Int64 {
        let (round, step) = index.quotientAndRemainder(dividingBy: steps.count)
        return start + Int64(round) * roundLength + steps.prefix(step).map(\.wait).reduce(0, +)
    }

    public func step(_ index: Int) -> Step { steps[index % steps.count] }
}

/// One alert's escalation: where it stands, persisted after every step, so a restart continues
/// it (never repeats a step, never starts it over).
public struct Escalation: Sendable, Codable, Equatable {
    public struct Acknowledgement: Sendable, Codable, Equatable {
        public var by: String
        public var at: Int64
        public var until: Int64

        public init(by: String, at: Int64, until: Int64) {
            self.by = by
            self.at = at
            self.until = until
        }
    }

    /// A step as it went out: to whom (nobody when the layer had a gap).
    public struct Sent: Sendable, Codable, Equatable {
        public var at: Int64
        public var step: Int
        public var target: String
        public var people: [String]

        public init(at: Int64, step: Int, target: String, people: [String]) {
            self.at = at
            self.step = step
            self.target = target
            self.people = people
        }
    }

    public var id: String
    public var alertKey: String
    public var policy: String
    /// What the alert is, as messages name it.
    public var title: String = ""
    /// The acknowledgement link's secret: every message carries it, so later steps need it too;
    /// the store finds an escalation by the secret's hash.
    public var link: String = ""
    public var sent: [Sent] = []
    /// When the current run of steps began (the alert fired, or an acknowledgement ran out).
    public var start: Int64
    /// The next step to notify, counted over all rounds.
    public var next: Int
    public var acknowledgement: Acknowledgement?
    public var resolvedAt: Int64?

    public init(id: String, alertKey: String, policy: String, start: Int64) {
        self.id = id
        self.alertKey = alertKey
        self.policy = policy
        self.start = start
        next = 0
    }

    public enum Action: Sendable, Equatable {
        /// Notify step `index` now.
        case notify(Int)
        /// Nothing now; look again at this time (nil: never, the escalation is over).
        case wait(until: Int64?)
    }

    /// What to do at `now`. An acknowledgement that ran out starts the steps over from its end.
    public mutating func action(at now: Int64, policy: EscalationPolicy) -> Action {
        if resolvedAt != nil { return .wait(until: nil) }
        if let acknowledgement {
            if now < acknowledgement.until { return .wait(until: acknowledgement.until) }
            self.acknowledgement = nil
            start = acknowledgement.until
            next = 0
        }
        guard next < policy.stepCount else { return .wait(until: nil) }
        let due = policy.dueTime(of: next, start: start)
        return now >= due ? .notify(next) : .wait(until: due)
    }

    /// Step `index` was sent: the next one is due after its wait.
    public mutating func notified(_ index: Int) { next = max(next, index + 1) }

    public mutating func acknowledge(by person: String, at now: Int64, policy: EscalationPolicy) {
        acknowledgement = Acknowledgement(by: person, at: now, until: now + policy.acknowledgementLasts)
    }

    public mutating func resolve(at now: Int64) { resolvedAt = now }
}
