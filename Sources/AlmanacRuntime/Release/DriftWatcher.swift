import AlmanacMetrics
import AlmanacRollout
import AlmanacStorage
import Foundation
import Logging
import ServiceLifecycle

/// One revision everywhere: asks every host what it runs on an interval, keeps since when, and
/// records `almanac_revision_drift_seconds{environment, host}` so an alert rule can say when
/// drift lasts.
public struct DriftWatcher: Service {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
    let heads: SeriesHeads
    let intervalSeconds: Double
    let logger: Logger

    public init(pipeline: PipelineConfig, store: SQLReleaseStore, heads: SeriesHeads, intervalSeconds: Double, logger: Logger) {
        self.pipeline = pipeline
        self.store = store
        self.heads = heads
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            do {
                // Hosts that do not answer must not hold up a shutdown.
                try await cancelWhenGracefulShutdown { try await observe(now: WallClock.milliseconds()) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("cannot check host revisions", metadata: ["error": "\(error)"])
            }
        } while await nextRound(after: intervalSeconds)
    }

    func observe(now: Int64) async throws {
        guard let pipeline = pipeline.current else { return }
        let runner = StepRunner(pipeline: pipeline)
        for environment in pipeline.environments {
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
