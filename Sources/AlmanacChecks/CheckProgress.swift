import Foundation

/// A check's state between results: Nagios's soft/hard tracker, its flap detector, and the last
/// result. Kept as JSON across restarts.
public struct CheckProgress: Sendable, Hashable, Codable {
    /// What a result changed, for the timeline.
    public struct Change: Sendable, Hashable {
        /// `soft`, `hard`, `soft recovery`, `recovered`, `flapping started`, `flapping stopped`.
        public var event: String
        public var status: CheckStatus
        public var message: String
    }

    public var tracker: CheckTracker
    public var flap: FlapDetector
    public var lastStatus: CheckStatus?
    public var lastAt: Int64?
    public var lastOutput = ""
    public var recovery = RecoveryState()

    public init(_ check: Check) {
        tracker = CheckTracker(attempts: check.attempts)
        flap = FlapDetector(low: check.flapLow, high: check.flapHigh)
    }

    /// The same progress for a check whose file changed: thresholds and attempts follow the file.
    public func adopting(_ check: Check) -> CheckProgress {
        var copy = self
        copy.tracker.attempts = check.attempts
        copy.flap.low = check.flapLow
        copy.flap.high = check.flapHigh
        return copy
    }

    /// A hard problem: what recoveries act on and people hear of.
    public var hardProblem: Bool { tracker.type == .hard && tracker.status != .ok }

    public mutating func record(_ status: CheckStatus, output: String, at time: Int64) -> [Change] {
        let step = tracker.record(status)
        lastStatus = status
        lastAt = time
        lastOutput = output
        var changes: [Change] = []
        if step.stateChange {
            let event: String
            switch (step.status == .ok, step.type) {
            case (true, .soft): event = "soft recovery"
            case (true, .hard): event = "recovered"
            case (false, .soft): event = "soft"
            case (false, .hard): event = "hard"
            }
            let attempt = step.type == .soft && step.status != .ok ? " (attempt \(step.attempt) of \(tracker.attempts))" : ""
            changes.append(Change(event: event, status: status, message: "\(status) \(step.type.rawValue.uppercased())\(attempt)"))
        }
        if step.counted, flap.record(status) {
            let percent = String(format: "%.1f%%", flap.percent)
            changes.append(
                flap.flapping
                    ? Change(event: "flapping started", status: status, message: "\(percent) state change ≥ \(flap.high)%")
                    : Change(event: "flapping stopped", status: status, message: "\(percent) state change ≤ \(flap.low)%"))
        }
        return changes
    }

    /// When the next result is due: sooner while a problem is soft, as Nagios retries.
    public func due(_ check: Check) -> Int64 {
        guard let lastAt else { return 0 }
        return lastAt + (tracker.type == .soft ? check.retryInterval : check.interval)
    }
}
