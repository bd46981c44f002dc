/// The time as a store reads it: the runtime's injected clock handed down, since storage has
/// no clock of its own. `skew` is how far that clock runs ahead of the system's (zero in
/// production), for times a store takes from the database server instead.
public struct StoreClock: Sendable {
    public let now: @Sendable () -> Int64
    public let skew: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64, skew: @escaping @Sendable () -> Int64) {
        self.now = now
        self.skew = skew
    }
}
