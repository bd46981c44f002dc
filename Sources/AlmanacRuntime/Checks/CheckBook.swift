import AlmanacChecks
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Every check's progress, the one place results land: each result moves the check's Nagios
/// state, becomes series (`almanac_check_up`, `almanac_check_status`, latency, certificate
/// days, the plugin's perfdata) and, when something changed, timeline events with the output.
/// The state is saved with its events in one transaction, so a restart resumes where it was.
/// A change or action on the checks' timeline.
public typealias TimelineEvent = TimelineStore.Event

public actor CheckBook {
    let heads: SeriesHeads
    let timeline: TimelineStore
    let logger: Logger
    private var progress: [String: CheckProgress] = [:]
    private var loaded = false

    public init(heads: SeriesHeads, timeline: TimelineStore, logger: Logger) {
        self.heads = heads
        self.timeline = timeline
        self.logger = logger
    }

    /// The saved states, read once.
    func load() async throws {
        guard !loaded else { return }
        for (name, json) in try await timeline.states() {
            progress[name] = try JSONDecoder().decode(CheckProgress.self, from: Data(json.utf8))
        }
        loaded = true
    }

    /// The timeline of checks' changes and actions, newest first: one check's, or every check's.
    public nonisolated func events(check: String? = nil, limit: Int = 200) async throws -> [TimelineEvent] {
        try await timeline.events(check: check, limit: limit)
    }

    public func current(_ check: Check) async throws -> CheckProgress {
        try await load()
        return (progress[check.name] ?? CheckProgress(check)).adopting(check)
    }

    public func all() async throws -> [String: CheckProgress] {
        try await load()
        return progress
    }

    /// Records one result; returns what it changed and, for a check with a recovery, what to do.
    /// `dependencies` are the checks of the entities the check's entity depends on.
    @discardableResult
    public func record(
        _ check: Check, _ result: ProbeResult, at time: Int64, dependencies: [Check] = []
    ) async throws -> (changes: [CheckProgress.Change], decision: RecoveryDecision) {
        var state = try await current(check)
        let changes = state.record(result.status, output: result.output, at: time)
        var decision = RecoveryDecision.none
        var held: String?
        if let plan = check.recovery {
            // A dependency not checked yet holds the recovery too: restarting blind is what this avoids.
            let failing = dependencies.compactMap { other -> (ref: String, why: String)? in
                guard let last = progress[other.name], let status = last.lastStatus else {
                    return (other.entity.description, "check \(other.name): not checked yet")
                }
                return status == .ok ? nil : (other.entity.description, "check \(other.name): \(last.lastOutput)")
            }
            decision = state.recovery.decide(
                plan, hardProblem: state.hardProblem, ok: result.status == .ok, failingDependencies: failing.map(\.ref), now: time)
            if case .held(let cause, true) = decision {
                let why = failing.first { $0.ref == cause }?.why ?? ""
                held = "not recovered: it depends on \(cause) (\(why)), which is failing; the cause is there"
            }
        }
        let entity = check.entity.description
        var labels = [Label("check", check.name), Label("entity", entity)]
        labels.sort()
        var samples: [(name: String, labels: [Label], sample: Sample)] = [
            ("almanac_check_up", labels, Sample(timestamp: time, value: result.status == .ok ? 1 : 0)),
            ("almanac_check_status", labels, Sample(timestamp: time, value: Double(result.status.rawValue))),
            ("almanac_check_flapping", labels, Sample(timestamp: time, value: state.flap.flapping ? 1 : 0)),
            ("almanac_check_escalated", labels, Sample(timestamp: time, value: state.recovery.escalated ? 1 : 0)),
        ]
        if let latency = result.latency { samples.append(("almanac_check_latency_seconds", labels, Sample(timestamp: time, value: latency))) }
        if let days = result.certificateDays { samples.append(("almanac_check_certificate_days", labels, Sample(timestamp: time, value: days))) }
        for metric in result.metrics {
            guard let value = metric.baseValue else { continue }
            samples.append(("almanac_check_perfdata", (labels + [Label("label", metric.label)]).sorted(), Sample(timestamp: time, value: value)))
        }
        _ = try await heads.append(samples)
        var events = changes.map { change in
            TimelineStore.Event(
                at: time, check: check.name, entity: entity, event: change.event, status: change.status.description, message: change.message,
                output: result.output)
        }
        if let held {
            events.append(
                TimelineStore.Event(
                    at: time, check: check.name, entity: entity, event: "held", status: result.status.description, message: held,
                    output: result.output))
        }
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try await timeline.save(check: check.name, state: json, at: time, events: events)
        progress[check.name] = state
        for change in changes {
            logger.info(
                "check changed",
                metadata: ["check": "\(check.name)", "event": "\(change.event)", "status": "\(change.status)", "output": "\(result.output)"])
        }
        return (changes, decision)
    }

    /// Each check's entity, name and last result, for an escalation.
    public func describe(_ checks: [Check]) async throws -> [String] {
        try await load()
        return checks.map { check in
            let last = progress[check.name]
            return "\(check.entity.description): \(check.name) \(last?.lastStatus?.description ?? "not checked yet") \(last?.lastOutput ?? "")"
        }
    }

    /// Adds an event that is not a result (a recovery run, an escalation) to the timeline.
    public func note(_ check: Check, event: String, status: String, message: String, output: String, at time: Int64) async throws {
        let state = try await current(check)
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        let entry = TimelineStore.Event(
            at: time, check: check.name, entity: check.entity.description, event: event, status: status, message: message, output: output)
        try await timeline.save(check: check.name, state: json, at: time, events: [entry])
        logger.notice("check \(event)", metadata: ["check": "\(check.name)", "message": "\(message)"])
    }
}
