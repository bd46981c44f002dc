import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging
import ServiceLifecycle

/// Rolls raw samples up and drops what the retention policy no longer keeps, on an interval.
public struct RetentionService: Service {
    let store: SQLSeriesStore
    let config: MonitoringConfig
    let intervalSeconds: Double
    let logger: Logger

    public init(store: SQLSeriesStore, config: MonitoringConfig, intervalSeconds: Double, logger: Logger) {
        self.store = store
        self.config = config
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            let started = Date()
            do {
                let result = try await store.compact(policy: config.current.retention, now: Int64(started.timeIntervalSince1970 * 1000))
                logger.info(
                    "compacted series storage",
                    metadata: [
                        "buckets_written": "\(result.bucketsWritten)", "series": "\(result.seriesRolledUp)",
                        "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
                    ])
            } catch {
                logger.error("compaction failed; raw samples are kept until it succeeds", metadata: ["error": "\(error)"])
            }
        } while await nextRound(after: intervalSeconds)
    }
}
