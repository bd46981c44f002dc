import AlmanacChecks
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Every check's progress, the one place results land: each result moves the check's Nagios
/// state, becomes series (`almanac_check_up`, `almanac_check_status`, latency, certificate
/// days, the plugin's perfdata) and, when something changed, timeline events with the output.
/// The state is saved with its events in one transaction, so a restart resumes where it was.
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

    public func current(_ check: Check) async throws -> CheckProgress {
        try await load()
        return (progress[check.name] ?? CheckProgress(check)).adopting(check)
    }

    public func all() async throws -> [String: CheckProgress] {
        try await load()
        return progress
    }

    /// Records one result; returns what it changed.
    @discardableResult
    public func record(_ check: Check, _ result: ProbeResult, at time: Int64) async throws -> [CheckProgress.Change] {
        var state = try await current(check)
        let changes = state.record(result.status, output: result.output, at: time)
        let entity = check.entity.description
        var labels = [Label("check", check.name), Label("entity", entity)]
        labels.sort()
        var samples: [(name: String, labels: [Label], sample: Sample)] = [
            ("almanac_check_up", labels, Sample(timestamp: time, value: result.status == .ok ? 1 : 0)),
            ("almanac_check_status", labels, Sample(timestamp: time, value: Double(result.status.rawValue))),
            ("almanac_check_flapping", labels, Sample(timestamp: time, value: state.flap.flapping ? 1 : 0)),
        ]
        if let latency = result.latency { samples.append(("almanac_check_latency_seconds", labels, Sample(timestamp: time, value: latency))) }
        if let days = result.certificateDays { samples.append(("almanac_check_certificate_days", labels, Sample(timestamp: time, value: days))) }
        for metric in result.metrics {
            guard let value = metric.baseValue else { continue }
            samples.append(("almanac_check_perfdata", (labels + [Label("label", metric.label)]).sorted(), Sample(timestamp: time, value: value)))
        }
        _ = try await heads.append(samples)
        let events = changes.map { change in
            TimelineStore.Event(
                at: time, check: check.name, entity: entity, event: change.event, status: change.status.description, message: change.message,
                output: result.output)
        }
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try await timeline.save(check: check.name, state: json, at: time, events: events)
        progress[check.name] = state
        for change in changes {
            logger.info(
                "check changed",
                metadata: ["check": "\(check.name)", "event": "\(change.event)", "status": "\(change.status)", "output": "\(result.output)"])
        }
        return changes
    }
}
