import AlmanacStorage
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
    public init(manager: RolloutManager) { self.manager = manager }
    public func run() async throws {
        try await manager.recover()
        repeat {
            await manager.followDue()
        } while await nextRound(after: 30)
    }
}
