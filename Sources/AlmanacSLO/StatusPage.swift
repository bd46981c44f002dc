import AlmanacMetrics
import AlmanacReporting
import Foundation

/// The public status page: for each service the team shows, its state now and a bar per day
/// for the last 90 days with the share of good events its SLIs counted that day. One HTML file
/// with its styles inline, so it can be hosted anywhere and stays up when Almanac is down.
public enum StatusPage {
    public enum State: String, Sendable, Encodable {
        case operational
        case degraded
        case outage = "major outage"
        case unknown = "no data"
    }

    public struct Day: Sendable, Encodable, Equatable {
        /// Midnight UTC, ms.
        public var start: Int64
        public var good: Double
        public var total: Double
        public var percent: Double? { total > 0 ? good / total * 100 : nil }

        public init(start: Int64, good: Double, total: Double) {
            self.start = start
            self.good = good
            self.total = total
        }
    }

    public struct Service: Sendable {
        public var name: String
        public var state: State
        public var objective: Double
        public var days: [Day]

        public init(name: String, state: State, objective: Double, days: [Day]) {
            self.name = name
            self.state = state
            self.objective = objective
            self.days = days
        }

        /// Good events over all, across the days shown.
        public var availability: Double? {
            let total = days.map(\.total).reduce(0, +)
            return total > 0 ? days.map(\.good).reduce(0, +) / total * 100 : nil
        }
    }

    /// The state an SLO's alert condition implies: a page is an outage, a ticket a degradation.
    public static func state(_ evaluation: SLOEvaluation?) -> State {
        guard let evaluation else { return .unknown }
        switch evaluation.condition?.severity {
        case .page?: return .outage
        case .ticket?: return .degraded
        case nil: return evaluation.budget.total > 0 ? .operational : .unknown
        }
    }

    /// Good and total events per UTC day for the `days` days ending with today.
    public static func days(
        good: [[Sample]], total: [[Sample]], counting: SLOEvaluation.Counting, now: Int64, days: Int = 90
    )
        -> [Day]
    {
        let day: Int64 = 86_400_000
        let first = (now / day - Int64(days - 1)) * day
        let end = first + Int64(days) * day
        let counted = EventCounts.perStep(good: good, total: total, counting: counting, from: first, to: end, step: day)
        return counted.enumerated().map { Day(start: first + Int64($0) * day, good: $1.good, total: $1.total) }
    }

    /// The page; `title` is the organisation's name for it.
    public static func html(
        title: String, services: [Service], maintenance: [Notice] = [], incidents: [IncidentNote] = [], generatedAt: Int64
    ) -> String {
        var body = ""
        for service in services {
            let figure = service.availability.map { String(format: "%.3f%%", $0) } ?? "no data"
            body += "<section class=\"service\" data-service=\"\(HTML.escape(service.name))\"><h2>\(HTML.escape(service.name))"
            body += " <span class=\"state \(service.state == .operational ? "ok" : service.state == .unknown ? "none" : "bad")\">"
            body += "\(service.state.rawValue)</span></h2><p>90 days: <b class=\"availability\">\(figure)</b> (objective "
            body += String(format: "%g%%", service.objective * 100) + ")</p>" + bars(service) + "</section>\n"
        }
        if services.isEmpty { body = "<p>No service is shown here yet: an SLO marked <code>public: true</code> puts its service on this page.</p>" }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title><style>
            body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d232a}
            .state{font-size:13px;padding:.1rem .5rem;border-radius:.3rem}.ok{background:#d8f0dc}.bad{background:#f6d5d5}.none{background:#e2e2dd}
            svg rect.day{fill:#5aa469}svg rect.day.low{fill:#e0a030}svg rect.day.bad{fill:#c0392b}svg rect.day.none{fill:#d0d0cc}
            .generated{color:#5b6570;font-size:13px}.maintenance ul{padding-left:1.2rem}
            </style></head><body><h1>\(HTML.escape(title))</h1>
            \(body)\(incidentsHTML(incidents, services: services.map(\.name), now: generatedAt))\(maintenanceHTML(maintenance, now: generatedAt))<p class="generated">Made \(ReportFormat.moment(generatedAt, seconds: false)) from the service level indicators.</p></body></html>

            """
    }

    /// One bar a day, coloured by whether the day met the objective; each bar says its figure.
    static func bars(_ service: Service) -> String {
        let width = 7
        var out = "<svg class=\"bars\" width=\"\(service.days.count * width)\" height=\"34\" role=\"img\" aria-label=\"daily availability\">"
        for (i, day) in service.days.enumerated() {
            let percent = day.percent
            let kind = percent.map { $0 >= service.objective * 100 ? "" : $0 >= 100 - (1 - service.objective) * 1000 ? " low" : " bad" } ?? " none"
            let label = "\(ReportFormat.date(day.start)): " + (percent.map { String(format: "%.3f%%", $0) } ?? "no data")
            out += "<rect class=\"day\(kind)\" x=\"\(i * width)\" y=\"0\" width=\"\(width - 2)\" height=\"34\""
            out += " data-day=\"\(ReportFormat.date(day.start))\""
            out += " data-percent=\"\(percent.map { String(format: "%.6f", $0) } ?? "")\"><title>\(HTML.escape(label))</title></rect>"
        }
        return out + "</svg>"
    }
}
