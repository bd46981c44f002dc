import AlmanacConfig
import Foundation

/// A table of text cells that a report prints as Markdown, aligned text or HTML.
public struct ReportTable: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
    }

    public func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        return ([line(headers), "|" + String(repeating: "---|", count: headers.count)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    public func text() -> String {
        let widths = headers.indices.map { i in ([headers] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .replacing(/\s+$/, with: "")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// `id` names the table for pages and tests; cells are escaped.
    public func html(id: String) -> String {
        var out = "<table id=\"\(HTML.escape(id))\"><thead><tr>"
        for header in headers { out += "<th>\(HTML.escape(header))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }
}

public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A link to a named thing: `prefix` and the name as one percent-encoded path segment,
    /// escaped for an attribute, so a name with a quote, a backslash or a slash stays one name.
    public static func link(_ prefix: String, _ name: String) -> String {
        escape(prefix + segment(name))
    }

    /// A name as one path segment: everything but letters, digits and `-._~` percent-encoded.
    public static func segment(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? name
    }

    /// RFC 3986's unreserved characters, ASCII only (Foundation's `alphanumerics` takes in every script's letters).
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// How reports write numbers and dates: short, and the same in every format.
public enum ReportFormat {
    /// `1.23G`, `450k`, `0.25`, `-3.1M`: three significant digits with an SI suffix.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf" }
        let magnitude = abs(value)
        let units: [(Double, String)] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where magnitude >= scale {
            return significant(value / scale) + suffix
        }
        return significant(value)
    }

    public static func signed(_ value: Double) -> String {
        value > 0 ? "+" + number(value) : number(value)
    }

    static func significant(_ value: Double) -> String {
        let text = String(format: "%.3g", value)
        return text.contains("e") ? String(format: "%.0f", value) : text
    }

    /// `2026-12-05` (UTC) for a time in ms since 1970.
    public static func date(_ ms: Int64) -> String {
        DayStamp(unixSeconds: ms >= 0 ? ms / 1000 : (ms - 999) / 1000).description
    }

    /// `2026-12-05 14:03:07 UTC` (or `14:03 UTC` without seconds) for a time in ms since 1970.
    public static func moment(_ ms: Int64, seconds: Bool = true) -> String {
        let whole = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let within = ((whole % 86_400) + 86_400) % 86_400
        let clock = String(format: "%02d:%02d", within / 3600, within / 60 % 60) + (seconds ? String(format: ":%02d", within % 60) : "")
        return date(ms) + " " + clock + " UTC"
    }
}
