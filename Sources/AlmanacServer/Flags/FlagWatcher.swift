import Logging
import ServiceLifecycle
import UnixSignals

/// Keeps the served flags current: re-reads the files when they change or on SIGHUP, picks up
/// run-time changes other replicas wrote to the database, and saves evaluation counts.
struct FlagWatcher: Service {
    let flags: FlagService
    /// The monitoring, catalogue and pipeline files follow the same polling and SIGHUP.
    let monitoring: MonitoringConfig
    let catalog: CatalogConfig
    let pipeline: PipelineConfig
    let configPollSeconds: Double
    let changePollSeconds: Double
    let usageFlushSeconds: Double
    let logger: Logger

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if configPollSeconds > 0 {
                group.addTask {
                    await every(configPollSeconds) {
                        _ = flags.reloadFiles()
                        monitoring.reload()
                        catalog.reload()
                        pipeline.reload()
                    }
                }
            }
            group.addTask {
                await every(changePollSeconds) {
                    do { try await flags.refreshRuntime() } catch { logger.warning("cannot read run-time flag changes", metadata: ["error": "\(error)"]) }
                }
            }
            group.addTask { await every(usageFlushSeconds) { await flags.flushUsage() } }
            group.addTask {
                let hangups = await UnixSignalsSequence(trapping: .sighup)
                for await _ in hangups.cancelOnGracefulShutdown() {
                    logger.info("SIGHUP: reloading the config repository")
                    flags.reloadFiles(force: true)
                    monitoring.reload(force: true)
                    catalog.reload(force: true)
                    pipeline.reload(force: true)
                }
            }
            await group.waitForAll()
        }
        await flags.flushUsage()
    }

    /// Runs `body` every `seconds` until graceful shutdown.
    private func every(_ seconds: Double, _ body: @Sendable () async -> Void) async {
        while await nextRound(after: seconds) {
            await body()
        }
    }
}
