import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Rolls raw samples up and drops what the retention policy no longer keeps: a round of
/// `PeriodicJob`; a failed round keeps the raw samples until one succeeds.
public struct RetentionService: Sendable {
    let store: SQLSeriesStore
    let config: MonitoringConfig
    let clock: WallClock
    let logger: Logger

    public init(store: SQLSeriesStore, config: MonitoringConfig, clock: WallClock, logger: Logger) {
        self.store = store
        self.config = config
        self.clock = clock
        self.logger = logger
    }

    public func compact(now: Int64) async throws {
        let started = clock.elapsed()
        let result = try await store.compact(policy: config.current.retention, now: now)
        logger.info(
            "compacted series storage",
            metadata: [
                "buckets_written": "\(result.bucketsWritten)", "series": "\(result.seriesRolledUp)",
                "seconds": "\(String(format: "%.2f", (clock.elapsed() - started).inSeconds))",
            ])
    }
}
