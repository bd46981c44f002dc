/// When a cron expression fires in a time zone, step for step as Healthchecks' cronsim finds
/// it: the fields are matched on the zone's wall clock; a five-field expression with a set
/// minute and hour walks the wall clock itself (Debian cron), so a time the clocks skip fires at
/// the first minute that exists after it and a repeated hour fires once; any other expression
/// walks real instants, so an hourly job fires in both passes of a repeated hour.
public struct CronSchedule: Sendable {
    public let fields: CronFields
    public let zone: Zone

    public init(_ expression: String, zone: Zone) throws(CronError) {
        fields = try CronFields(expression)
        self.zone = zone
    }

    /// The next `count` fire times after `instant` (Unix seconds); fewer when none comes within 50 years.
    public func next(after instant: Int64, count: Int) -> [Int64] {
        var walker = Walker(fields: fields, zone: zone, start: instant)
        var out: [Int64] = []
        while out.count < count, let next = walker.next() { out.append(next) }
        return out
    }

    /// The walk's state: a wall time and its fold (real instants), or a bare wall time.
    struct Walker {
        let fields: CronFields
        let zone: Zone
        /// Walks the wall clock (UTC, or Debian cron's wall-clock expressions).
        let naive: Bool
        let wallClock: Bool
        var wall: WallTime
        var fold: Int

        init(fields: CronFields, zone: Zone, start: Int64) {
            self.fields = fields
            self.zone = zone
            wallClock = !zone.isUTC && fields.wallClockTime
            naive = zone.isUTC || wallClock
            (wall, fold) = zone.isUTC ? (WallTime(seconds: start), 0) : zone.wall(start)
            if naive { fold = 0 }
        }

        mutating func tick(_ seconds: Int64 = 1) {
            if naive {
                wall.seconds += seconds
            } else {
                (wall, fold) = zone.wall(zone.instant(wall, fold: fold) + seconds)
            }
        }

        /// cronsim's `replace(...)` and `datetime.combine(...)`: the wall time changes, the fold stays.
        mutating func set(_ time: WallTime, fold newFold: Int? = nil) {
            wall = time
            if let newFold { fold = newFold }
        }

        mutating func next() -> Int64? {
            tick()
            guard advance() else { return nil }
            guard wallClock else { return naive ? wall.seconds : zone.instant(wall, fold: fold) }
            while zone.isImaginary(wall) { wall.seconds += 60 }
            return zone.instant(wall, fold: 0)
        }

        mutating func advance() -> Bool {
            let startYear = wall.date.year
            while true {
                advanceMonth()
                if wall.date.year > startYear + 50 { return false }
                if advanceDay() { continue }
                if advanceHour() { continue }
                if advanceMinute() { continue }
                if advanceSecond() { continue }
                return true
            }
        }

        mutating func advanceMonth() {
            var (year, month, _) = wall.date
            guard !fields.months.contains(month) else { return }
            while !fields.months.contains(month) { (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1) }
            set(WallTime(year: year, month: month, day: 1), fold: 0)
        }

        mutating func advanceDay() -> Bool {
            var day = wall.day
            guard !matches(day) else { return false }
            repeat {
                day += 1
            } while !matches(day) && WallTime(seconds: day * 86_400).date.day != 1
            set(WallTime(seconds: day * 86_400), fold: 0)
            return true
        }

        mutating func advanceHour() -> Bool {
            guard !fields.hours.contains(wall.hour) else { return false }
            set(wall.at(hour: wall.hour, minute: 0, second: 0))
            while !fields.hours.contains(wall.hour) {
                tick(3600)
                if wall.hour == 0 { break }
            }
            return true
        }

        mutating func advanceMinute() -> Bool {
            guard !fields.minutes.contains(wall.minute) else { return false }
            set(wall.at(hour: wall.hour, minute: wall.minute, second: 0))
            if fields.minutes.count == 1, let target = fields.minutes.first { tick(Int64((target - wall.minute + 60) % 60) * 60) }
            while !fields.minutes.contains(wall.minute) {
                tick(60)
                if wall.minute == 0 { break }
            }
            return true
        }

        mutating func advanceSecond() -> Bool {
            guard !fields.seconds.contains(wall.second) else { return false }
            if fields.seconds.count == 1, let target = fields.seconds.first { tick(Int64((target - wall.second + 60) % 60)) }
            while !fields.seconds.contains(wall.second) {
                tick()
                if wall.second == 0 { break }
            }
            return true
        }

        func matches(_ day: Int64) -> Bool {
            let dom = matchesDayOfMonth(day)
            let dow = matchesDayOfWeek(day)
            return fields.dayAnd ? dom && dow : dom || dow
        }

        func matchesDayOfMonth(_ day: Int64) -> Bool {
            let date = WallTime(seconds: day * 86_400).date
            if fields.days.contains(date.day) { return true }
            let length = WallTime.daysIn(year: date.year, month: date.month)
            if fields.days.contains(CronFields.lastWeekday), date.day >= 26 {
                let lastWeekday = WallTime(year: date.year, month: date.month, day: length).isoWeekday
                let target = lastWeekday == 7 ? length - 2 : lastWeekday == 6 ? length - 1 : length
                if date.day == target { return true }
            }
            return fields.days.contains(CronFields.lastDay) && date.day == length
        }

        func matchesDayOfWeek(_ day: Int64) -> Bool {
            let time = WallTime(seconds: day * 86_400)
            let dow = time.isoWeekday
            let date = time.date
            if fields.weekdays.contains(.day(dow)) || fields.weekdays.contains(.day(dow % 7)) { return true }
            if fields.weekdays.contains(.last(dow)) || fields.weekdays.contains(.last(dow % 7)) {
                if date.day + 7 > WallTime.daysIn(year: date.year, month: date.month) { return true }
            }
            let index = (date.day + 6) / 7
            return fields.weekdays.contains(.nth(dow, index)) || fields.weekdays.contains(.nth(dow % 7, index))
        }
    }
}
