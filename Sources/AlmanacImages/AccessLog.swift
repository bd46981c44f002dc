import Foundation

/// One request of a web server's access log in the combined or common format (nginx's default
/// `combined`, Apache's `%h %l %u %t "%r" %>s %b`): when, what path (query left out), status.
public struct AccessLogLine: Sendable, Equatable {
    public var time: Int64
    public var path: String
    public var status: Int

    public init(time: Int64, path: String, status: Int) {
        self.time = time
        self.path = path
        self.status = status
    }

    /// Nil for a line that is not a request in that format (the caller counts those).
    public static func parse(_ line: Substring) -> AccessLogLine? {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        guard let time = timestamp(line[line.index(after: open)..<close]) else { return nil }
        let rest = line[line.index(after: close)...]
        guard let quote = rest.firstIndex(of: "\""), let end = rest[rest.index(after: quote)...].firstIndex(of: "\"") else { return nil }
        let request = rest[rest.index(after: quote)..<end].split(separator: " ")
        guard request.count >= 2 else { return nil }
        let target = request[1]
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? String(target)
        let after = rest[rest.index(after: end)...].split(separator: " ")
        guard let status = after.first.flatMap({ Int($0) }) else { return nil }
        return AccessLogLine(time: time, path: path, status: status)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `10/Oct/2000:13:55:36 -0700`, read by hand: a DateFormatter per line is the slowest part of a log of millions.
    static func timestamp(_ text: Substring) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " })
        guard parts.count == 7, let day = Int(parts[0]), let month = months.firstIndex(of: String(parts[1])), let year = Int(parts[2]),
            let hour = Int(parts[3]), let minute = Int(parts[4]), let second = Int(parts[5]), parts[6].count == 5,
            let offset = Int(parts[6].dropFirst())
        else { return nil }
        let sign = parts[6].first == "-" ? -1 : 1
        let days = daysSinceEpoch(year: year, month: month + 1, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return (seconds - Int64(sign * ((offset / 100) * 3600 + (offset % 100) * 60))) * 1000
    }

    /// Days from 1970-01-01 to a Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
