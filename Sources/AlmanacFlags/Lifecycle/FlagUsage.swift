/// How often a flag served each variant over a window, and the last hour it was evaluated.
public struct FlagUsage: Sendable, Hashable {
    public var byVariant: [String: Int64] = [:]
    /// Hours since 1970; nil when never evaluated in the window.
    public var lastHour: Int64?

    public init(byVariant: [String: Int64] = [:], lastHour: Int64? = nil) {
        self.byVariant = byVariant
        self.lastHour = lastHour
    }

    public var total: Int64 { byVariant.values.reduce(0, +) }

    public mutating func add(variant: String, count: Int64, hour: Int64) {
        byVariant[variant, default: 0] += count
        lastHour = max(lastHour ?? hour, hour)
    }
}
