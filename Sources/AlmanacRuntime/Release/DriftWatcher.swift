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

    let clock: WallClock

    public init(pipeline: PipelineConfig, store: SQLReleaseStore, heads: SeriesHeads, clock: WallClock) {
        self.clock = clock
        self.pipeline = pipeline
        self.store = store
        self.heads = heads
    }

    public func observe(now: Int64) async throws {
        guard let pipeline = pipeline.current else { return }
        try await observeSchemas(pipeline, now: now)
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

    /// `almanac_schema_drift{environment}`: how many schema lines and ledger rows differ from
    /// staging's beyond the pending patches; a database that cannot be read records nothing.
    func observeSchemas(_ pipeline: Pipeline, now: Int64) async throws {
        guard pipeline.database != nil else { return }
        let service = PatchService(pipeline: pipeline, clock: clock)
        for environment in pipeline.environments where environment.database != nil {
            let drift: PatchService.Drift?
            do { drift = try await service.drift(environment: environment.name) } catch { continue }
            guard let drift else { continue }
            try await heads.append([
                (
                    name: "almanac_schema_drift", labels: [Label("environment", environment.name)],
                    sample: Sample(timestamp: now, value: Double(drift.differences.count))
                )
            ])
        }
    }

    /// The drift report: each environment should run its last successful rollout's revision.
    static func report(store: SQLReleaseStore, now: Int64) async throws -> DriftReport {
        let observations = try await store.observations()
        var expected: [String: String] = [:]
        for environment in Set(observations.map(\.environment)) { expected[environment] = try await store.running(environment: environment) }
        return DriftReport(observations: observations, expected: expected, now: now)
    }
}
