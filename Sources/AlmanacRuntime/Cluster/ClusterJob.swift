import ServiceLifecycle

/// A background job and how many of it a cluster runs: once (under a lease, so replicas do
/// not scrape, notify or roll up twice), or in every replica (its own heartbeat, its caches).
public struct ClusterJob: Sendable {
    public enum Scope: Sendable { case once, everyReplica }

    /// The lease's name for a job run once: the cluster page lists holders by it.
    public var name: String
    public var service: any Service
    public var scope: Scope

    public init(_ name: String, _ service: any Service, scope: Scope = .once) {
        self.name = name
        self.service = service
        self.scope = scope
    }
}
