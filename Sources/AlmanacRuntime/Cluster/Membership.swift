import AlmanacStorage
import Logging
import ServiceLifecycle

/// Runs in every replica: says every third of a lease period that this replica is alive and
/// where it serves, and leaves the list when it stops.
public struct Membership: Service {
    let store: SQLLeaseStore
    let identity: ReplicaIdentity
    let periodSeconds: Double
    let logger: Logger

    public init(store: SQLLeaseStore, identity: ReplicaIdentity, periodSeconds: Double, logger: Logger) {
        self.store = store
        self.identity = identity
        self.periodSeconds = periodSeconds
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            do {
                try await store.heartbeat(id: identity.id, address: identity.address, startedAt: identity.startedAt)
            } catch {
                logger.warning("cannot record this replica's heartbeat", metadata: ["error": "\(error)"])
            }
        } while await nextRound(after: periodSeconds / 3)
        do {
            try await store.leave(id: identity.id)
        } catch {
            logger.warning("cannot remove this replica from the list; it ages out", metadata: ["error": "\(error)"])
        }
    }
}
