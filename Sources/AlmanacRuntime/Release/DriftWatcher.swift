import AlmanacMetrics
import AlmanacRollout
import AlmanacStorage
import Foundation

/// One revision everywhere: asks every host what it runs on an interval, keeps since when, and
/// records `almanac_revision_drift_seconds{environment, host}` so an alert rule can say when
/// drift lasts. A round of `PeriodicJob`; hosts that do not answer must not hold up a shutdown,
/// so the round is interruptible.
public struct DriftWatcher: Sendable {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
    let heads: SeriesHeads

    public init(pipeline: PipelineConfig, store: SQLReleaseStore, heads: SeriesHeads) {
        self.pipeline = pipeline
        self.store = store
        self.heads = heads
    }

    public func observe(now: Int64) async throws {
        guard let pipeline = pipeline.current else { return }
        for environment in pipeline.environments {
            let runner = StepRunner(pipeline: pipeline, environment: environment)
            for host in environment.hosts {
                try await store.observe(environment: environment.name, host: host, revision: await runner.reported(host: host), at: now)
            }
        }
        let report = try await DriftWatcher.report(store: store, now: now)
        try await heads.append(
            report.entries.map { entry in
                (
                    name: "almanac_revision_drift_seconds", labels: [Label("environment", entry.environment), Label("host", entry.host)],
                    sample: Sample(timestamp: now, value: Double(entry.drifting) / 1000)
                )
            })
    }

    /// The drift report: each environment should run its last successful rollout's revision.
    static func report(store: SQLReleaseStore, now: Int64) async throws -> DriftReport {
        let observations = try await store.observations()
        var expected: [String: String] = [:]
        for environment in Set(observations.map(\.environment)) { expected[environment] = try await store.running(environment: environment) }
        return DriftReport(observations: observations, expected: expected, now: now)
    }
}
