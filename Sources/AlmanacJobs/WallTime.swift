import AlmanacConfig
import Foundation

/// A time of day on a calendar date with no zone: what a clock on the wall shows.
public struct WallTime: Sendable, Hashable, Comparable {
    /// Seconds since 1970-01-01 00:00 of this calendar, as if it were UTC.
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        seconds = Self.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func < (a: Self, b: Self) -> Bool { a.seconds < b.seconds }

    public var day: Int64 { seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400 }
    public var secondOfDay: Int { Int(seconds - day * 86_400) }
    public var hour: Int { secondOfDay / 3600 }
    public var minute: Int { secondOfDay / 60 % 60 }
    public var second: Int { secondOfDay % 60 }
    public var date: (year: Int, month: Int, day: Int) { Self.civil(day) }
    /// 1 Monday … 7 Sunday.
    public var isoWeekday: Int { Int(((day % 7) + 7 + 3) % 7) + 1 }

    /// The same date at `hour:minute:second`.
    func at(hour: Int, minute: Int, second: Int) -> Self { Self(seconds: day * 86_400 + Int64(hour * 3600 + minute * 60 + second)) }

    static func days(year: Int, month: Int, day: Int) -> Int64 { Int64(DayStamp(year: year, month: month, day: day).day) }

    static func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) { DayStamp(day: Int(days)).components }

    static func daysIn(year: Int, month: Int) -> Int {
        let next = month == 12 ? days(year: year + 1, month: 1, day: 1) : days(year: year, month: month + 1, day: 1)
        return Int(next - days(year: year, month: month, day: 1))
    }
}

/// Wall times of one zone and the instants they name, with Python's `fold` (PEP 495) for the
/// hour that repeats when clocks go back and the hour that never happens when they go forward:
/// fold 0 reads such a wall time with the offset in force before the change, fold 1 after it.
public struct Zone: Sendable {
    let zone: TimeZone?

    /// nil: UTC.
    public init(identifier: String) throws(CronError) {
        if identifier == "UTC" || identifier == "Etc/UTC" {
            zone = nil
            return
        }
        guard let zone = TimeZone(identifier: identifier) else { throw CronError("Unknown time zone \(identifier)") }
        self.zone = zone
    }

    public var isUTC: Bool { zone == nil }

    func offset(_ instant: Int64) -> Int64 {
        guard let zone else { return 0 }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// The offsets a day before and a day after: either side of any change near `wall`.
    private func offsets(_ wall: WallTime) -> (before: Int64, after: Int64) {
        (offset(wall.seconds - 86_400 - offset(wall.seconds)), offset(wall.seconds + 86_400 - offset(wall.seconds)))
    }

    /// The instant a wall time names (`astimezone(UTC)`).
    public func instant(_ wall: WallTime, fold: Int = 0) -> Int64 {
        let (before, after) = offsets(wall)
        let early = wall.seconds - before
        let late = wall.seconds - after
        let earlyValid = offset(early) == before
        let lateValid = offset(late) == after
        if earlyValid != lateValid { return earlyValid ? early : late }
        if earlyValid && early == late { return early }
        return fold == 0 ? early : late
    }

    /// The wall time of an instant, with fold 1 for the second pass of a repeated hour.
    public func wall(_ instant: Int64) -> (wall: WallTime, fold: Int) {
        let wall = WallTime(seconds: instant + offset(instant))
        let (before, after) = offsets(wall)
        let repeated = before != after && offset(wall.seconds - before) == before && offset(wall.seconds - after) == after
        return (wall, repeated && instant == max(wall.seconds - before, wall.seconds - after) ? 1 : 0)
    }

    /// A wall time the clocks skip (`dt != dt.astimezone(UTC).astimezone(tz)`).
    public func isImaginary(_ wall: WallTime, fold: Int = 0) -> Bool {
        self.wall(instant(wall, fold: fold)).wall != wall
    }
}
