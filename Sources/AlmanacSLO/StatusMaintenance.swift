import AlmanacReporting

/// The maintenance part of the status page: windows over a shown service that are open now,
/// planned in the coming two weeks, or past in the 90 days the bars cover.
extension StatusPage {
    public struct Notice: Sendable, Equatable {
        public enum When: String, Sendable { case now, planned, past }
        public var name: String
        public var note: String?
        public var start: Int64
        public var end: Int64
        public var services: [String]

        public func when(at now: Int64) -> When { now < start ? .planned : now < end ? .now : .past }
    }

    /// Each opening of a window that covers one of `shown` (a service and the SLO that speaks for it).
    public static func notices(_ windows: [MaintenanceWindow], shown: [(service: String, slo: String)], now: Int64) -> [Notice] {
        let day: Int64 = 86_400_000
        var out: [Notice] = []
        for window in windows {
            let services = shown.filter { window.covers(service: $0.service, slo: $0.slo) }.map(\.service)
            guard !services.isEmpty else { continue }
            for opening in window.openings(from: (now / day - 89) * day, to: now + 14 * day) {
                out.append(Notice(name: window.name, note: window.note, start: opening.start, end: opening.end, services: services))
            }
        }
        return out.sorted { $0.start > $1.start }
    }

    static func maintenanceHTML(_ notices: [Notice], now: Int64) -> String {
        guard !notices.isEmpty else { return "" }
        var out = "<section class=\"maintenance\"><h2>Maintenance</h2>"
        for (when, title) in [(Notice.When.now, "Now"), (.planned, "Planned"), (.past, "Past")] {
            let listed = notices.filter { $0.when(at: now) == when }
            guard !listed.isEmpty else { continue }
            out += "<h3>\(title)</h3><ul class=\"\(when.rawValue)\">"
            for notice in when == .planned ? listed.reversed() : listed {
                out += "<li data-window=\"\(HTML.escape(notice.name))\"><b>\(ReportFormat.moment(notice.start, seconds: false))</b>"
                out += " to \(ReportFormat.moment(notice.end, seconds: false)): \(HTML.escape(notice.services.joined(separator: ", ")))"
                if let note = notice.note { out += " — \(HTML.escape(note))" }
                out += "</li>"
            }
            out += "</ul>"
        }
        return out + "</section>\n"
    }
}

/// Incidents on the status page: for a shown service, when it began, whether it is over, and the
/// summary people wrote when they resolved it (never the alert's text, which names internals).
extension StatusPage {
    public struct IncidentNote: Sendable, Equatable {
        public var service: String
        public var openedAt: Int64
        public var resolvedAt: Int64?
        public var summary: String?

        public init(service: String, openedAt: Int64, resolvedAt: Int64?, summary: String?) {
            self.service = service
            self.openedAt = openedAt
            self.resolvedAt = resolvedAt
            self.summary = summary
        }
    }

    static func incidentsHTML(_ notes: [IncidentNote], services: [String], now: Int64) -> String {
        let shown = notes.filter { services.contains($0.service) && $0.openedAt >= now - 90 * 86_400_000 }.sorted { $0.openedAt > $1.openedAt }
        guard !shown.isEmpty else { return "" }
        var out = "<section class=\"incidents\"><h2>Incidents</h2><ul>"
        for note in shown {
            out += "<li data-service=\"\(HTML.escape(note.service))\"><b>\(HTML.escape(note.service))</b>, "
            out += ReportFormat.moment(note.openedAt, seconds: false)
            out +=
                note.resolvedAt.map { " to " + ReportFormat.moment($0, seconds: false) }
                ?? ": <span class=\"ongoing\">ongoing, being looked at</span>"
            if let summary = note.summary { out += " — \(HTML.escape(summary))" }
            out += "</li>"
        }
        return out + "</ul></section>\n"
    }
}
