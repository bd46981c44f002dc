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
/// the daily follows (the staging that runs the stable branch) when they are due.
public struct RolloutRecovery: Service {
    let manager: RolloutManager
    let logger: Logger
    public init(manager: RolloutManager, logger: Logger) {
        self.manager = manager
        self.logger = logger
    }
    public func run() async throws {
        // Follows wait for the recovery: a follow must not start beside a rollout still marked running.
        while true {
            do {
                try await manager.recover()
                break
            } catch {
                // A database that cannot be read now is retried; ending here would end the whole replica.
                logger.error("cannot mark interrupted rollouts; retrying", metadata: ["error": "\(error)"])
            }
            guard await nextRound(after: 5) else { return }
        }
        repeat {
            await manager.followDue()
        } while await nextRound(after: 30)
    }
}
