/// A cron expression's six fields, read as Healthchecks' parser (cronsim) reads them: five
/// fields get a seconds field of 0; names of months and days; `*`, lists, ranges, steps;
/// `L` and `LW` in the day of month; `5L` (the last Friday) and `MON#2` in the day of week.
public struct CronFields: Sendable, Hashable {
    public enum Weekday: Sendable, Hashable {
        case day(Int)
        /// The last such day of the month.
        case last(Int)
        /// The nth such day of the month.
        case nth(Int, Int)
    }

    public static let lastDay = -1000
    public static let lastWeekday = -1001

    public var seconds: Set<Int>
    public var minutes: Set<Int>
    public var hours: Set<Int>
    /// Days of the month, with `lastDay` and `lastWeekday`.
    public var days: Set<Int>
    public var months: Set<Int>
    public var weekdays: Set<Weekday>
    /// Debian cron: when either day field starts with `*` both must match, else either may.
    public var dayAnd: Bool
    /// Five fields with a set minute and hour: local wall time counts, as Debian cron does.
    public var wallClockTime: Bool

    public init(_ expression: String) throws(CronError) {
        var parts = expression.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        let fiveFields = parts.count == 5
        if fiveFields { parts.insert("0", at: 0) }
        guard parts.count == 6 else { throw CronError("Wrong number of fields") }
        dayAnd = parts[3].hasPrefix("*") || parts[5].hasPrefix("*")
        seconds = try Self.numbers(try Field.second.parse(parts[0]))
        minutes = try Self.numbers(try Field.minute.parse(parts[1]))
        hours = try Self.numbers(try Field.hour.parse(parts[2]))
        days = try Self.numbers(try Field.day.parse(parts[3]))
        months = try Self.numbers(try Field.month.parse(parts[4]))
        weekdays = try Field.dayOfWeek.parse(parts[5])
        if let smallest = days.min(), smallest > 29, dayAnd {
            let longest = months.map { [-1, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$0] }.max() ?? 0
            if smallest > longest { throw CronError(Field.day.message) }
        }
        wallClockTime = fiveFields && !parts[1].hasPrefix("*") && !parts[2].hasPrefix("*")
    }

    private static func numbers(_ items: Set<Weekday>) throws(CronError) -> Set<Int> {
        Set(items.map { if case .day(let n) = $0 { n } else { Int.min } })
    }
}

/// Why an expression cannot be read, in cronsim's words ("Bad minute").
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

enum Field: Int {
    case second, minute, hour, day, month, dayOfWeek

    static let ranges = [0...59, 0...59, 0...23, 1...31, 1...12, 0...7]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    var message: String { "Bad " + ["second", "minute", "hour", "day-of-month", "month", "day-of-week"][rawValue] }
    var range: ClosedRange<Int> { Self.ranges[rawValue] }

    func digits(_ text: Substring) throws(CronError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else { throw CronError(message) }
        return value
    }

    func number(_ text: Substring) throws(CronError) -> Int {
        if self == .month, let index = Self.monthNames.firstIndex(of: String(text)) { return index + 1 }
        if self == .dayOfWeek, let index = Self.dayNames.firstIndex(of: String(text)) { return index }
        let value = try digits(text)
        guard range.contains(value) else { throw CronError(message) }
        return value
    }

    /// One field's items; every field but the day of week holds plain numbers (`.day`).
    func parse(_ text: String) throws(CronError) -> Set<CronFields.Weekday> {
        try parse(Substring(text))
    }

    private func parse(_ s: Substring) throws(CronError) -> Set<CronFields.Weekday> {
        if s == "*" { return Set(range.map(CronFields.Weekday.day)) }
        if s.contains(",") {
            var all = Set<CronFields.Weekday>()
            for term in s.split(separator: ",", omittingEmptySubsequences: false) { all.formUnion(try parse(term)) }
            return all
        }
        if self == .dayOfWeek, s.contains("L") {
            let value = s.dropLast()
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw CronError(message) }
            return [.last(try number(value))]
        }
        if self == .dayOfWeek, let hash = s.firstIndex(of: "#") {
            let nth = try digits(s[s.index(after: hash)...])
            guard (1...5).contains(nth) else { throw CronError(message) }
            return [.nth(try number(s[..<hash]), nth)]
        }
        if let slash = s.firstIndex(of: "/") {
            let term = s[..<slash]
            let step = try digits(s[s.index(after: slash)...])
            guard step > 0 else { throw CronError(message) }
            let items = try parse(term)
            if items == [.day(CronFields.lastDay)] || items == [.day(CronFields.lastWeekday)] { return items }
            let numbers = items.compactMap { if case .day(let n) = $0 { n } else { nil } }.sorted()
            if numbers.count == 1, !term.contains("-") {
                return Set(stride(from: numbers[0], through: range.upperBound, by: step).map(CronFields.Weekday.day))
            }
            return Set(stride(from: 0, to: numbers.count, by: step).map { CronFields.Weekday.day(numbers[$0]) })
        }
        if let dash = s.firstIndex(of: "-") {
            let start = try number(s[..<dash])
            let end = try number(s[s.index(after: dash)...])
            guard end >= start else { throw CronError(message) }
            return Set((start...end).map(CronFields.Weekday.day))
        }
        if self == .day, s == "LW" { return [.day(CronFields.lastWeekday)] }
        if self == .day, s == "L" { return [.day(CronFields.lastDay)] }
        return [.day(try number(s))]
    }
}
