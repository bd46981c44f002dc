import AlmanacConfig
import AlmanacMetrics

/// One rule from `monitoring/rules/*.yaml`: which series, what to compute over them, and when
/// that is a problem.
public struct AlertRule: Sendable {
    public enum Direction: String, Sendable { case above, below }

    /// What is computed per series before the condition is checked.
    public enum Function: Sendable, Equatable {
        case last
        /// Per-second increase of a counter over the window, as Prometheus's `rate` (`CounterMath.rate`).
        case rate(window: Int64)
        /// Per-second slope by least squares, as Prometheus's deriv.
        case deriv(window: Int64)
        case average(window: Int64)
        case maximum(window: Int64)
        case minimum(window: Int64)
    }

    public enum Condition: Sendable {
        /// Warning and critical levels; a firing alert resolves only once the value is back
        /// past the level by `hysteresis`, so a value hovering at the level does not flap.
        case threshold(Direction, warning: Double?, critical: Double?, hysteresis: Double)
        /// The forecast crosses `level` within `within` ms at `confidence`.
        case forecast(Direction, level: Double, within: Int64, confidence: Double)
        /// No sample for `duration` ms (a target gone quiet, a job that stopped reporting).
        case absent(duration: Int64)
    }

    public var name: String
    public var service: String?
    public var selector: Selector
    public var function: Function
    public var condition: Condition
    /// How long the condition must hold before firing (`for`).
    public var pendingFor: Int64
    /// How long a firing alert keeps firing after the condition clears (`keep_firing_for`).
    public var keepFiringFor: Int64
    public var summary: String?
    public var runbook: String?
    public var file: String
    public var line: Int

    public init(
        name: String, service: String?, selector: Selector, function: Function, condition: Condition, pendingFor: Int64 = 0,
        keepFiringFor: Int64 = 0, summary: String?, runbook: String? = nil, file: String, line: Int
    ) {
        self.name = name
        self.service = service
        self.selector = selector
        self.function = function
        self.condition = condition
        self.pendingFor = pendingFor
        self.keepFiringFor = keepFiringFor
        self.summary = summary
        self.runbook = runbook
        self.file = file
        self.line = line
    }
}
