import AlmanacJobs
import Testing

/// Cron expressions as cronsim reads them, on fixed cases; tests/e2e/test_cron.py compares
/// 5,000 random ones with cronsim itself.
@Suite struct CronTests {
    static let paris = try! Zone(identifier: "Europe/Paris")

    func times(_ expression: String, _ zone: Zone, after: WallTime, count: Int) throws -> [Int64] {
        try CronSchedule(expression, zone: zone).next(after: zone.instant(after), count: count)
    }

    @Test func aSkippedTimeFiresAtTheFirstMinuteAfterIt() throws {
        // 29 March 2026: Paris goes from 02:00 to 03:00.
        let fired = try times("30 2 * * *", Self.paris, after: WallTime(year: 2026, month: 3, day: 28, hour: 12), count: 2)
        #expect(
            fired.map { Self.paris.wall($0).wall } == [
                WallTime(year: 2026, month: 3, day: 29, hour: 3), WallTime(year: 2026, month: 3, day: 30, hour: 2, minute: 30),
            ])
    }

    @Test func aRepeatedHourFiresOnceForAWallClockJobAndTwiceForAnHourlyOne() throws {
        // 25 October 2026: Paris goes from 03:00 back to 02:00.
        let start = WallTime(year: 2026, month: 10, day: 25, hour: 0)
        let nightly = try times("30 2 * * *", Self.paris, after: start, count: 2)
        #expect(nightly[1] - nightly[0] == 25 * 3600, "once on the 25th, at the first 02:30")
        let hourly = try times("0 * * * *", Self.paris, after: start, count: 4)
        #expect(hourly.map { Self.paris.wall($0).wall.hour } == [1, 2, 2, 3], "both 02:00s")
    }

    @Test func dayFieldsAndSpecialDays() throws {
        let utc = try Zone(identifier: "UTC")
        let from = WallTime(year: 2026, month: 1, day: 1)
        // The last Friday of each month, the last weekday, and the second Monday.
        #expect(try times("0 9 * * 5L", utc, after: from, count: 2).map { WallTime(seconds: $0).date.day } == [30, 27])
        #expect(try times("0 9 LW * *", utc, after: from, count: 2).map { WallTime(seconds: $0).date.day } == [30, 27])
        #expect(try times("0 9 * * MON#2", utc, after: from, count: 1).map { WallTime(seconds: $0).date.day } == [12])
        // Either day field when neither starts with *: the 1st and every Sunday.
        #expect(try times("0 0 1 * SUN", utc, after: from, count: 3).map { WallTime(seconds: $0).date.day } == [4, 11, 18])
    }

    @Test(arguments: [
        ("* * * *", "Wrong number of fields"), ("61 * * * *", "Bad minute"), ("* 5-2 * * *", "Bad hour"), ("* * 31 2 *", "Bad day-of-month"),
        ("* * * FOO *", "Bad month"), ("* * * * 8", "Bad day-of-week"), ("*/0 * * * *", "Bad minute"), ("* * * * MON#6", "Bad day-of-week"),
    ])
    func mistakesAreNamed(expression: String, message: String) {
        #expect(throws: CronError(message)) { try CronFields(expression) }
    }

    @Test func anUnknownZoneIsNamed() {
        #expect(throws: CronError("Unknown time zone Mars/Olympus")) { try Zone(identifier: "Mars/Olympus") }
    }
}
