import AlmanacReporting
import Foundation

/// The status page's incidents and maintenance windows as an Atom feed (RFC 4287), so people
/// and feed readers can follow it: one entry per incident of a shown service and per opening of
/// a maintenance window, newest first, each with a stable id under the page's address.
extension StatusPage {
    public static func atom(
        title: String, pageURL: String, incidents: [IncidentNote], maintenance: [Notice], services: [String], generatedAt: Int64
    ) -> String {
        struct Entry {
            var id, title, summary: String
            var published, updated: Int64
        }
        var entries: [Entry] = incidents.filter { services.contains($0.service) }.map { note in
            let state = note.resolvedAt.map { "resolved \(ReportFormat.moment($0, seconds: false))" } ?? "ongoing, being looked at"
            return Entry(
                id: "\(pageURL)#incident-\(HTML.segment(note.service))-\(note.openedAt)", title: "\(note.service): incident, \(state)",
                summary: note.summary ?? "An incident affecting \(note.service) began \(ReportFormat.moment(note.openedAt, seconds: false)).",
                published: note.openedAt, updated: note.resolvedAt ?? note.openedAt)
        }
        entries += maintenance.map { notice in
            let span = "\(ReportFormat.moment(notice.start, seconds: false)) to \(ReportFormat.moment(notice.end, seconds: false))"
            return Entry(
                id: "\(pageURL)#maintenance-\(HTML.segment(notice.name))-\(notice.start)",
                title: "Maintenance of \(notice.services.joined(separator: ", ")): \(span)",
                summary: [notice.name, notice.note].compactMap { $0 }.joined(separator: ": "),
                // A planned window is news when it is announced, which the files do not record: it
                // counts as published now, so readers see it before it opens.
                published: min(notice.start, generatedAt), updated: min(notice.start, generatedAt))
        }
        entries.sort { ($0.updated, $0.id) > ($1.updated, $1.id) }
        let e = HTML.escape
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        out += "<title>\(e(title))</title>\n<id>\(e(pageURL))</id>\n"
        out += "<link rel=\"self\" type=\"application/atom+xml\" href=\"\(e(pageURL))/feed.atom\"/>\n"
        out += "<link rel=\"alternate\" type=\"text/html\" href=\"\(e(pageURL))\"/>\n"
        // A feed's updated is its newest change; with nothing to report, the moment it was made.
        out += "<updated>\(rfc3339(entries.map(\.updated).max() ?? generatedAt))</updated>\n"
        out += "<author><name>Almanac</name></author>\n<generator>Almanac</generator>\n"
        for entry in entries {
            out += "<entry>\n<id>\(e(entry.id))</id>\n<title>\(e(entry.title))</title>\n"
            out += "<published>\(rfc3339(entry.published))</published>\n<updated>\(rfc3339(entry.updated))</updated>\n"
            out += "<link rel=\"alternate\" type=\"text/html\" href=\"\(e(pageURL))\"/>\n"
            out += "<summary type=\"text\">\(e(entry.summary))</summary>\n</entry>\n"
        }
        return out + "</feed>\n"
    }

    /// RFC 3339, in UTC.
    static func rfc3339(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
