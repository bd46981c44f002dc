/// The time as a store reads it: the runtime's injected clock handed down, since storage has
/// no clock of its own. `isSystem` says it is the system's clock, which a store may replace by
/// the database server's (replicas agree on PostgreSQL's); a clock a test drives is used as it is.
public struct StoreClock: Sendable {
    public let now: @Sendable () -> Int64
    public let isSystem: Bool

    public init(now: @escaping @Sendable () -> Int64, isSystem: Bool) {
        self.now = now
        self.isSystem = isSystem
    }
}
