import Foundation

/// A half-open span of time in ms since 1970.
public struct Span: Sendable, Hashable, Comparable {
    public var start: Int64
    public var end: Int64

    public init(_ start: Int64, _ end: Int64) {
        self.start = start
        self.end = end
    }

    public static func < (a: Span, b: Span) -> Bool { (a.start, a.end) < (b.start, b.end) }

    /// The parts of `spans` inside `within`, merged and in order.
    static func intersect(_ spans: [Span], _ within: [Span]) -> [Span] {
        var out: [Span] = []
        for a in spans {
            for b in within where b.start < a.end && a.start < b.end { out.append(Span(max(a.start, b.start), min(a.end, b.end))) }
        }
        return merge(out)
    }

    /// The parts of `spans` outside `removed`.
    static func subtract(_ spans: [Span], _ removed: [Span]) -> [Span] {
        var out = spans
        for cut in removed {
            out = out.flatMap { span -> [Span] in
                guard cut.start < span.end && span.start < cut.end else { return [span] }
                return [Span(span.start, cut.start), Span(cut.end, span.end)].filter { $0.start < $0.end }
            }
        }
        return out
    }

    static func merge(_ spans: [Span]) -> [Span] {
        var out: [Span] = []
        for span in spans.sorted() where span.start < span.end {
            if let last = out.last, span.start <= last.end {
                out[out.count - 1].end = max(last.end, span.end)
            } else {
                out.append(span)
            }
        }
        return out
    }
}

/// Days of the week and hours of the day, in a time zone: a layer's restriction ("weekdays
/// 09:00-18:00") or a person's availability ("evenings"). Hours that end before they start run
/// past midnight (22:00-07:00); the day is the one the hours start on.
public struct Weekly: Sendable, Equatable {
    /// Calendar weekdays, 1 Sunday to 7 Saturday.
    public var days: Set<Int>
    /// Minutes after local midnight.
    public var from: Int
    public var to: Int

    public static let allDays: Set<Int> = Set(1...7)
    public static let always = Weekly(days: allDays, from: 0, to: 24 * 60)

    public init(days: Set<Int>, from: Int, to: Int) {
        self.days = days
        self.from = from
        self.to = to
    }

    /// The spans inside `[start, end)`, read in `zone`, so 09:00 stays 09:00 across a daylight-saving change.
    public func spans(from start: Int64, to end: Int64, zone: TimeZone) -> [Span] {
        if self == .always { return [Span(start, end)] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // From the local day before the start, since hours past midnight begin the day before.
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(start) / 1000 - 86_400))
        var out: [Span] = []
        while Int64(day.timeIntervalSince1970 * 1000) < end {
            let weekday = calendar.component(.weekday, from: day)
            if days.contains(weekday) {
                let length = to > from ? to - from : 24 * 60 - from + to
                if let opens = Self.local(day, minutes: from, calendar), let closes = Self.local(day, minutes: from + length, calendar) {
                    out.append(Span(opens, closes))
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return Span.intersect(out, [Span(start, end)])
    }

    /// The moment `minutes` after local midnight of `day` (past 24 h, the next days').
    static func local(_ day: Date, minutes: Int, _ calendar: Calendar) -> Int64? {
        var parts = calendar.dateComponents([.year, .month, .day], from: day)
        parts.day = (parts.day ?? 1) + minutes / (24 * 60)
        parts.hour = minutes % (24 * 60) / 60
        parts.minute = minutes % 60
        return calendar.date(from: parts).map { Int64($0.timeIntervalSince1970 * 1000) }
    }
}
