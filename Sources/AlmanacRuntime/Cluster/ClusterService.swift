import AlmanacStorage

/// What the cluster page and API show: the replicas alive, and which holds each lease.
public struct ClusterService: Sendable {
    public struct Status: Sendable, Codable {
        public struct LeaseState: Sendable, Codable {
            public var name: String
            public var holder: String?
            public var since: Int64?
            public var expires: Int64?
            public var term: Int64
        }

        public var backend: String
        public var replica: String
        public var leaseSeconds: Double
        public var now: Int64
        public var replicas: [Replica]
        public var leases: [LeaseState]
    }

    let store: SQLLeaseStore
    let identity: ReplicaIdentity
    let backend: Database.Backend
    let periodSeconds: Double

    public init(store: SQLLeaseStore, identity: ReplicaIdentity, backend: Database.Backend, periodSeconds: Double) {
        self.store = store
        self.identity = identity
        self.backend = backend
        self.periodSeconds = periodSeconds
    }

    /// A lease past its end shows no holder: whoever held it is not working under it.
    public func status() async throws -> Status {
        let period = Int64(periodSeconds * 1000)
        let (replicas, _) = try await store.replicas(seenWithin: 2 * period)
        let (leases, now) = try await store.leases()
        return Status(
            backend: backend.rawValue, replica: identity.id, leaseSeconds: periodSeconds, now: now, replicas: replicas,
            leases: leases.map { lease in
                let held = lease.expires > now
                return .init(
                    name: lease.name, holder: held ? lease.holder : nil, since: held ? lease.since : nil, expires: held ? lease.expires : nil,
                    term: lease.term)
            })
    }
}
