/// Nagios's flap detection: the last 21 recorded states (hard states and soft recoveries), each
/// change between neighbours weighted from 0.75 (oldest) to 1.25 (newest), summed and taken as a
/// percentage of the 20 possible changes. Flapping starts at or above `high` and stops at or
/// below `low`; in between, nothing changes.
public struct FlapDetector: Sendable, Hashable, Codable {
    public static let window = 21
    public var low: Double
    public var high: Double
    public private(set) var history: [CheckStatus]
    public private(set) var flapping = false
    public private(set) var percent = 0.0

    /// Nagios's defaults for services: 5% and 20%. The history starts full of `initial`, as
    /// Nagios fills it when flap detection is turned on.
    public init(low: Double = 5, high: Double = 20, initial: CheckStatus = .ok) {
        self.low = low
        self.high = high
        history = Array(repeating: initial, count: Self.window)
    }

    /// Records a counted state; returns true when flapping started or stopped with it.
    public mutating func record(_ status: CheckStatus) -> Bool {
        history.removeFirst()
        history.append(status)
        var changes = 0.0
        for index in 1..<history.count where history[index] != history[index - 1] {
            changes += Double(index - 1) * (1.25 - 0.75) / Double(Self.window - 2) + 0.75
        }
        percent = changes * 100 / Double(Self.window - 1)
        let now: Bool
        if percent >= high {
            now = true
        } else if percent <= low {
            now = false
        } else {
            return false
        }
        defer { flapping = now }
        return now != flapping
    }
}
