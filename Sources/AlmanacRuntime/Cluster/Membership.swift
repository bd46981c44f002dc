import AlmanacStorage
import Logging
import ServiceLifecycle

/// Runs in every replica: says every third of a lease period that this replica is alive and
/// where it serves (a `PeriodicJob`), and leaves the list when it stops.
public struct Membership: Service {
    let store: SQLLeaseStore
    let identity: ReplicaIdentity
    let heartbeats: PeriodicJob
    let logger: Logger

    public init(store: SQLLeaseStore, identity: ReplicaIdentity, periodSeconds: Double, clock: WallClock, logger: Logger) {
        self.store = store
        self.identity = identity
        self.logger = logger
        heartbeats = PeriodicJob(
            "membership", every: periodSeconds / 3, clock: clock, logger: logger, failure: "cannot record this replica's heartbeat"
        ) { _ in try await store.heartbeat(id: identity.id, address: identity.address, startedAt: identity.startedAt) }
    }

    public func run() async throws {
        await heartbeats.run()
        do {
            try await store.leave(id: identity.id)
        } catch {
            logger.warning("cannot remove this replica from the list; it ages out", metadata: ["error": "\(error)"])
        }
    }
}
