import AlmanacAlerts
import AlmanacCatalog

/// A service level objective from `slos/*.yaml`: which events are good, what share of them
/// must be, over what rolling window.
public struct SLO: Sendable {
    /// How good and total events are counted.
    public enum Indicator: Sendable {
        /// Two counters: good events and all events (requests by status class, say).
        case ratio(good: Selector, total: Selector)
        /// A Prometheus histogram: requests in the bucket at `threshold` seconds over all requests.
        case latency(buckets: Selector, threshold: Double)
        /// A check's results: each run is an event, a run that is up is a good one.
        case check(name: String)
    }

    public var name: String
    public var service: String
    public var indicator: Indicator
    /// The share of good events, below 1 (0.999 for 99.9%).
    public var objective: Double
    /// The rolling window, in milliseconds.
    public var window: Int64
    /// On the status page.
    public var isPublic: Bool
    /// Maintenance windows are left out of the budget.
    public var excludesMaintenance: Bool
    public var file: String
    public var line: Int

    /// The share of events allowed to be bad.
    public var budget: Double { 1 - objective }

    /// The objective a service's tier implies when its SLO names none: re-users depend on
    /// services critical for others, so those promise most.
    public static func defaultObjective(for tier: Tier?) -> Double {
        switch tier {
        case .criticalForOthers?: 0.999
        case .criticalForUs?: 0.995
        case .peripheral?, nil: 0.99
        }
    }
}
