import Foundation

/// The one reading of the wall clock: milliseconds since 1970 for stores, rules and rollouts,
/// seconds for evaluation contexts and sessions. Services that decide by time take a clock
/// function defaulting to these, so tests can pass their own.
public enum WallClock {
    public static func milliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    public static func seconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
