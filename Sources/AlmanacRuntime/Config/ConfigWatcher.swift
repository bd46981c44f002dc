import Logging
import ServiceLifecycle
import UnixSignals

/// Keeps every domain's files current: re-reads them when they change or on SIGHUP, picks up
/// run-time flag changes other replicas wrote to the database, and saves evaluation counts.
public struct ConfigWatcher: Service {
    /// Each domain's files, reloaded all or nothing on its own.
    let reloadables: [any Reloadable]
    let flags: FlagService
    let configPollSeconds: Double
    let changePollSeconds: Double
    let usageFlushSeconds: Double
    let logger: Logger

    public init(
        reloadables: [any Reloadable], flags: FlagService, configPollSeconds: Double, changePollSeconds: Double, usageFlushSeconds: Double,
        logger: Logger
    ) {
        self.reloadables = reloadables
        self.flags = flags
        self.configPollSeconds = configPollSeconds
        self.changePollSeconds = changePollSeconds
        self.usageFlushSeconds = usageFlushSeconds
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if configPollSeconds > 0 {
                group.addTask { await every(configPollSeconds) { reloadAll(force: false) } }
            }
            group.addTask {
                await every(changePollSeconds) {
                    do { try await flags.refreshRuntime() } catch {
                        logger.warning("cannot read run-time flag changes", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask { await every(usageFlushSeconds) { await flags.flushUsage() } }
            group.addTask {
                let hangups = await UnixSignalsSequence(trapping: .sighup)
                for await _ in hangups.cancelOnGracefulShutdown() {
                    logger.info("SIGHUP: reloading the config repository")
                    reloadAll(force: true)
                }
            }
            await group.waitForAll()
        }
        await flags.flushUsage()
    }

    private func reloadAll(force: Bool) {
        for reloadable in reloadables { reloadable.reload(force: force) }
    }

    /// Runs `body` every `seconds` until graceful shutdown.
    private func every(_ seconds: Double, _ body: @Sendable () async -> Void) async {
        while await nextRound(after: seconds) {
            await body()
        }
    }
}
