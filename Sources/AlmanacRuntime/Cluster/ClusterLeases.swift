import AlmanacStorage
import Logging
import ServiceLifecycle

/// This replica's way to the leases: jobs run under theirs, and one-off work at start (a first
/// import) runs in whichever replica takes it first.
public struct ClusterLeases: Sendable {
    public let store: SQLLeaseStore
    public let identity: ReplicaIdentity
    public let periodSeconds: Double
    public let clock: WallClock
    let logger: Logger

    public init(database: Database, identity: ReplicaIdentity, periodSeconds: Double, clock: WallClock, logger: Logger) {
        store = SQLLeaseStore(database: database, clock: clock.forStores)
        self.clock = clock
        self.identity = identity
        self.periodSeconds = periodSeconds
        self.logger = logger
    }

    /// A job as the server runs it: under its lease when the cluster runs it once.
    public func service(for job: ClusterJob) -> any Service {
        switch job.scope {
        case .everyReplica: return job.service
        case .once:
            var jobLogger = logger
            jobLogger[metadataKey: "lease"] = "\(job.name)"
            return LeasedService(job, store: store, replica: identity.id, periodSeconds: periodSeconds, clock: clock, logger: jobLogger)
        }
    }

    /// Runs `body` when this replica takes `name` for at most `seconds`, and releases it after;
    /// returns nil without running it while another replica holds it.
    public func once<R: Sendable>(_ name: String, for seconds: Double, _ body: () async throws -> R) async throws -> R? {
        let lease = try await store.acquire(name, holder: identity.id, duration: Int64(seconds * 1000))
        guard lease.holder == identity.id else {
            logger.info("another replica does this", metadata: ["lease": "\(name)", "holder": "\(lease.holder)"])
            return nil
        }
        let result = try await body()
        try await store.release(name, holder: identity.id)
        return result
    }
}
