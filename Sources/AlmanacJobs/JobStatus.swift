/// A signal from a job, as Healthchecks' ping URLs carry them.
public struct Ping: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case start, success, fail
        /// Kept with the job's history; changes nothing.
        case log
    }

    /// Milliseconds.
    public var at: Int64
    public var kind: Kind
    /// `/ping/<uuid>/<status>`: 0 is a success, anything else a failure.
    public var exitStatus: Int?
    /// Healthchecks' run id, which tells overlapping runs apart.
    public var rid: String?

    public init(at: Int64, kind: Kind, exitStatus: Int? = nil, rid: String? = nil) {
        self.at = at
        self.kind = kind
        self.exitStatus = exitStatus
        self.rid = rid
    }
}

/// What Almanac concludes about a job at a moment, from its pings, as Healthchecks does: new
/// until the first ping; up until it is due; late through its grace time; down after that or
/// on a failure. A run started and not finished runs too long past `maximum`, and is taken
/// as never finished once the next run was due and its grace ran out.
public struct JobStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case new, up, late, down, running
    }

    public enum Problem: Sendable, Hashable {
        case failed(exitStatus: Int?)
        /// No ping since it was due and its grace ran out.
        case missed(dueAt: Int64)
        case runningTooLong(startedAt: Int64)
        case neverFinished(startedAt: Int64)
        /// Two runs were open at once (different run ids).
        case overlapping(at: Int64)
    }

    public var state: State
    public var problems: [Problem]
    public var lastSuccess: Int64?
    /// The last finished run's length, from its start ping.
    public var lastDuration: Int64?
    /// When the next ping is due (ms), once there was one.
    public var dueAt: Int64?

    public static func evaluate(_ job: Job, pings: [Ping], now: Int64) -> JobStatus {
        var open: [String: Int64] = [:]
        var last: Ping?
        var lastSuccess: Int64?
        var lastDuration: Int64?
        var overlapping: Int64?
        for ping in pings.sorted(by: { $0.at < $1.at }) where ping.at <= now && ping.kind != .log {
            let rid = ping.rid ?? ""
            if ping.kind == .start {
                // Without run ids a second start restarts the run, as Healthchecks reads it.
                if !rid.isEmpty, open.keys.contains(where: { $0 != rid && !$0.isEmpty }) { overlapping = ping.at }
                open[rid] = ping.at
                last = ping
                continue
            }
            if let started = open.removeValue(forKey: rid) { lastDuration = ping.at - started }
            last = ping
            if ping.kind == .success && (ping.exitStatus ?? 0) == 0 { lastSuccess = ping.at }
        }
        guard let last else { return JobStatus(state: .new, problems: [], lastSuccess: nil, lastDuration: nil, dueAt: nil) }
        var problems: [Problem] = overlapping.map { [.overlapping(at: $0)] } ?? []
        let finished = open.isEmpty ? last.at : nil
        let failed = last.kind == .fail || (last.kind == .success && (last.exitStatus ?? 0) != 0)
        if failed && open.isEmpty {
            problems.insert(.failed(exitStatus: last.exitStatus), at: 0)
            return JobStatus(state: .down, problems: problems, lastSuccess: lastSuccess, lastDuration: lastDuration, dueAt: job.due(after: last.at))
        }
        if let started = open.values.min() {
            let due = job.due(after: started)
            if let due, now > due + job.grace {
                problems.insert(.neverFinished(startedAt: started), at: 0)
                return JobStatus(state: .down, problems: problems, lastSuccess: lastSuccess, lastDuration: lastDuration, dueAt: due)
            }
            if let maximum = job.maximum, now - started > maximum { problems.insert(.runningTooLong(startedAt: started), at: 0) }
            return JobStatus(state: .running, problems: problems, lastSuccess: lastSuccess, lastDuration: lastDuration, dueAt: due)
        }
        let due = finished.flatMap(job.due(after:))
        var state = State.up
        if let due, now > due {
            state = now > due + job.grace ? .down : .late
            if state == .down { problems.insert(.missed(dueAt: due), at: 0) }
        }
        return JobStatus(state: state, problems: problems, lastSuccess: lastSuccess, lastDuration: lastDuration, dueAt: due)
    }
}
