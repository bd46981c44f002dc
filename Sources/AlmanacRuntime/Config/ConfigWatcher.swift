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
    let clock: WallClock
    let logger: Logger

    public init(
        reloadables: [any Reloadable], flags: FlagService, configPollSeconds: Double, changePollSeconds: Double, usageFlushSeconds: Double,
        clock: WallClock, logger: Logger
    ) {
        self.clock = clock
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
                let reloads = PeriodicJob("config reload", every: configPollSeconds, clock: clock, logger: logger, failure: "cannot reload") {
                    [reloadables] _ in for reloadable in reloadables { reloadable.reload(force: false) }
                }
                group.addTask { await reloads.run() }
            }
            let changes = PeriodicJob(
                "run-time flag changes", every: changePollSeconds, clock: clock, logger: logger, failure: "cannot read run-time flag changes"
            ) { [flags] _ in try await flags.refreshRuntime() }
            group.addTask { await changes.run() }
            let usage = PeriodicJob("usage counts", every: usageFlushSeconds, clock: clock, logger: logger, failure: "cannot save usage counts") {
                [flags] _ in await flags.flushUsage()
            }
            group.addTask { await usage.run() }
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
}
