import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import Foundation

/// A maintenance window from `maintenance/*.yaml`: alerts that match it while it is open are
/// recorded but not notified (it acts as a silence), and an alert still firing when it closes is
/// notified at the next group interval. One-off (`start`, `end`) or recurring (an RFC 5545
/// RRULE read in the window's time zone, so it opens at the same local time across a
/// daylight-saving change).
public struct MaintenanceWindow: Sendable {
    public enum Schedule: Sendable, Equatable {
        case once(start: Int64, end: Int64)
        case recurring(Recurrence, zone: TimeZone, duration: Int64)
    }

    public var name: String
    /// Over an alert's labels plus `alertname` and `service`, as silences match.
    public var matchers: String
    public var schedule: Schedule
    /// Left out of SLO budgets and the status page's figures.
    public var excludesFromBudget: Bool
    /// What the status page tells people about it (what is done, what they may notice).
    public var note: String?
    public var file: String
    public var line: Int

    /// The opening that holds `now`, if the window is open.
    public func opening(at now: Int64) -> (start: Int64, end: Int64)? {
        switch schedule {
        case .once(let start, let end): return start <= now && now < end ? (start, end) : nil
        case .recurring(let rule, let zone, let duration):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let moment = Date(timeIntervalSince1970: Double(now) / 1000)
            // Every local day that could have opened a window still open now.
            let back = Int(duration / 86_400_000) + 1
            for offset in (-back)...0 {
                guard let day = calendar.date(byAdding: .day, value: offset, to: moment) else { continue }
                let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
                guard rule.matches(weekday: parts.weekday ?? 0, monthDay: parts.day ?? 0) else { continue }
                var at = DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: rule.hour, minute: rule.minute)
                at.timeZone = zone
                guard let opens = calendar.date(from: at) else { continue }
                let start = Int64(opens.timeIntervalSince1970 * 1000)
                if start <= now && now < start + duration { return (start, start + duration) }
            }
            return nil
        }
    }

    /// Every opening that overlaps `[from, to)`, for leaving maintenance out of SLO budgets.
    public func openings(from: Int64, to: Int64) -> [(start: Int64, end: Int64)] {
        switch schedule {
        case .once(let start, let end): return start < to && end > from ? [(start, end)] : []
        case .recurring(_, _, let duration):
            // An opening can only hold a moment a whole duration after it began: probe every hour.
            var found: [(start: Int64, end: Int64)] = []
            var probe = from
            while probe < to + duration {
                if let open = opening(at: min(probe, to - 1)), !found.contains(where: { $0.start == open.start }), open.start < to, open.end > from {
                    found.append(open)
                }
                probe += min(duration, 3_600_000)
            }
            return found
        }
    }

    /// Whether the window is about a service's SLO: its matchers accept the service's labels.
    public func covers(service: String, slo: String) -> Bool {
        do {
            return try Selector(matchers).matches(name: "ErrorBudgetBurn", labels: [Label("service", service), Label("slo", slo)])
        } catch { return false }
    }

    /// The window as a silence while it is open, so alerts go through the one silencing path.
    public func silence(at now: Int64) -> Silence? {
        opening(at: now).map {
            Silence(
                id: 0, matchers: matchers, startsAt: $0.start, endsAt: $0.end, createdBy: "maintenance window \(name)", comment: "\(file):\(line)")
        }
    }
}

/// The part of RFC 5545's RRULE that maintenance windows use: `FREQ=DAILY|WEEKLY|MONTHLY`,
/// `BYDAY`, `BYMONTHDAY`, `BYHOUR`, `BYMINUTE` (one time a day), `INTERVAL=1`.
public struct Recurrence: Sendable, Equatable {
    public enum Frequency: String, Sendable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
    }
    public var frequency: Frequency
    /// Calendar weekdays, 1 = Sunday; empty: every day (daily) or DTSTART's weekday is not used.
    public var weekdays: Set<Int>
    public var monthDays: Set<Int>
    public var hour: Int
    public var minute: Int

    static let days = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]

    public struct Problem: Error, Sendable { public var message: String }

    public static func parse(_ text: String) throws(Problem) -> Recurrence {
        var parts: [String: String] = [:]
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces).uppercased() }
            guard pair.count == 2, !pair[1].isEmpty else { throw Problem(message: "'\(part)' is not NAME=VALUE") }
            parts[pair[0]] = pair[1]
        }
        let known: Set<String> = ["FREQ", "BYDAY", "BYMONTHDAY", "BYHOUR", "BYMINUTE", "INTERVAL"]
        if let other = parts.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem(message: "\(other) is not supported (\(known.sorted().joined(separator: ", ")))")
        }
        guard let freq = parts["FREQ"], let frequency = Frequency(rawValue: freq) else {
            throw Problem(message: "needs FREQ=DAILY, WEEKLY or MONTHLY")
        }
        if let interval = parts["INTERVAL"], interval != "1" { throw Problem(message: "INTERVAL=\(interval) is not supported: only 1") }
        func number(_ name: String, _ range: ClosedRange<Int>) throws(Problem) -> Int {
            guard let text = parts[name] else { return range.lowerBound }
            guard let value = Int(text), range.contains(value) else { throw Problem(message: "\(name)=\(text) must be one number in \(range)") }
            return value
        }
        var weekdays: Set<Int> = []
        for day in (parts["BYDAY"] ?? "").split(separator: ",") {
            guard let value = days[String(day)] else { throw Problem(message: "BYDAY \(day) is not one of SU, MO, TU, WE, TH, FR, SA") }
            weekdays.insert(value)
        }
        var monthDays: Set<Int> = []
        for day in (parts["BYMONTHDAY"] ?? "").split(separator: ",") {
            guard let value = Int(day), (1...31).contains(value) else { throw Problem(message: "BYMONTHDAY \(day) is not a day 1-31") }
            monthDays.insert(value)
        }
        if frequency == .weekly && weekdays.isEmpty { throw Problem(message: "FREQ=WEEKLY needs BYDAY") }
        if frequency == .monthly && monthDays.isEmpty { throw Problem(message: "FREQ=MONTHLY needs BYMONTHDAY") }
        return Recurrence(
            frequency: frequency, weekdays: weekdays, monthDays: monthDays, hour: try number("BYHOUR", 0...23), minute: try number("BYMINUTE", 0...59)
        )
    }

    func matches(weekday: Int, monthDay: Int) -> Bool {
        switch frequency {
        case .daily: return weekdays.isEmpty || weekdays.contains(weekday)
        case .weekly: return weekdays.contains(weekday)
        case .monthly: return monthDays.contains(monthDay)
        }
    }
}
