import AlmanacStorage
import Logging
import ServiceLifecycle

/// Closes the database after the server stops.
public struct DatabaseCloser: Service {
    let database: Database
    public init(database: Database) { self.database = database }
    public func run() async throws {
        try? await gracefulShutdown()
        try await database.close()
    }
}

/// Marks rollouts a previous run left unfinished as interrupted, once, at start; then starts
/// the daily follows (the staging that runs the stable branch) when they are due. A round of
/// `PeriodicJob`: a database that cannot be read at start is retried at the next round, and
/// follows wait for the recovery, since a follow must not start beside a rollout still marked
/// running.
public actor RolloutRecovery {
    let manager: RolloutManager
    private var recovered = false

    public init(manager: RolloutManager) {
        self.manager = manager
    }

    public func round(now: Int64) async throws {
        if !recovered {
            try await manager.recover()
            recovered = true
        }
        await manager.followDue()
    }
}
