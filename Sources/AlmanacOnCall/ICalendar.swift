import Foundation

/// Shifts as an RFC 5545 calendar that calendar programs subscribe to: one VEVENT per shift,
/// times in UTC, text escaped and lines folded at 75 octets, CRLF line ends. Written here
/// because no package on this machine writes iCalendar.
public enum ICalendar {
    public static func feed(name: String, shifts: [Shift], host: String, now: Int64) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Almanac//On call//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        lines.append("X-WR-CALNAME:" + escape(name))
        for shift in shifts where shift.kind != .unavailable {
            // Stable across feeds, so a calendar updates a shift instead of adding a copy.
            let uid = "\(shift.rotation)-\(shift.layer)-\(shift.person)-\(shift.span.start)@\(host)"
            lines += [
                "BEGIN:VEVENT", "UID:" + escape(uid), "DTSTAMP:" + stamp(now), "DTSTART:" + stamp(shift.span.start),
                "DTEND:" + stamp(shift.span.end),
                "SUMMARY:" + escape("On call: \(shift.person) (\(shift.rotation), \(shift.layer))" + (shift.kind == .override ? ", override" : "")),
                "CATEGORIES:" + escape(shift.rotation), "TRANSP:TRANSPARENT", "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(of: ",", with: "\\,")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func stamp(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Lines longer than 75 octets continue on lines that start with a space, never inside a character.
    static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for character in line {
            let size = String(character).utf8.count
            if count + size > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(character)
            count += size
        }
        return out
    }
}
