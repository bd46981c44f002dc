import AlmanacConfig
import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime

/// What the on-call page shows: each layer's person now, and the coming four weeks shift by
/// shift, gaps (someone unavailable) marked.
struct OnCallPage {
    struct Listing: Encodable {
        var at: Int64
        var onCall: [OnCallFiles.Holder]
    }

    struct Row {
        var layer, person, from, to: String
        var kind: String
        var gap: Bool
    }

    struct LoadRow {
        var person: String
        var pages, nights: Int
        var weekly, share: String
    }

    struct RotationView {
        var name, team, zone: String
        var rows: [Row]
        var gaps: Int
        var load: [LoadRow]
        /// Who carries more than half of the team's pages, when anyone does.
        var warning: String?
        var acknowledged: String?
    }

    /// An escalation paging people now, with the button that stops it for the one on call.
    struct Paging {
        var id, alert, since: String
        var acknowledged: String?
    }

    /// A calendar link in use: what it opens, who made it and when.
    struct LinkRow {
        var id: Int64
        var feed, made: String

        init(_ link: CalendarLinks.Link) {
            id = link.id
            feed = link.feed.replacingOccurrences(of: ":", with: " ")
            made = "\(link.createdBy), \(ReportFormat.moment(link.createdAt, seconds: false))"
        }
    }

    var now: [OnCallFiles.Holder]
    var links: [LinkRow] = []
    var hasLinks = false
    var people: [String] = []
    var paging: [Paging] = []
    var hasPaging = false
    var actor: String?
    var rotations: [RotationView] = []
    var unread: [String]
    var hasUnread: Bool
    var error: String?

    init(
        _ files: OnCallFiles, escalations: [Escalation] = [], active: [Escalation] = [], links: [CalendarLinks.Link] = [], actor: String? = nil,
        now moment: Int64, error: String?
    ) {
        self.error = error
        self.actor = actor
        self.links = links.filter { $0.revokedAt == nil }.map(LinkRow.init)
        hasLinks = !self.links.isEmpty
        people = Array(Set(files.rotations.flatMap { $0.layers.flatMap(\.people) })).sorted()
        paging = active.map { escalation in
            Paging(
                id: escalation.id, alert: escalation.title, since: ReportFormat.moment(escalation.start, seconds: false),
                acknowledged: escalation.acknowledgement.map { "acknowledged by \($0.by) until \(ReportFormat.moment($0.until, seconds: false))" })
        }
        hasPaging = !paging.isEmpty
        now = files.holders(at: moment)
        unread = files.unreadAvailability.sorted { $0.key < $1.key }.map { "\($0.key): “\($0.value)”" }
        hasUnread = !unread.isEmpty
        for rotation in files.rotations {
            let available = files.available(in: rotation)
            let coming = rotation.shifts(from: moment, to: moment + 28 * 86_400_000, available: available)
            let rows = coming.map { shift in
                Row(
                    layer: shift.layer, person: shift.person, from: ReportFormat.moment(shift.span.start, seconds: false),
                    to: ReportFormat.moment(shift.span.end, seconds: false), kind: shift.kind.rawValue, gap: shift.kind == .unavailable)
            }
            let people = files.teams[rotation.team] ?? Array(Set(rotation.layers.flatMap(\.people))).sorted()
            let loads = OnCallLoad.compute(escalations, people: people, zone: { _ in rotation.zone }, weeks: 4, now: moment)
            let heavy = loads.filter { $0.share > 0.5 && $0.pages >= 3 }.map(\.person)
            let median = OnCallLoad.medianTimeToAcknowledge(escalations, from: moment - 28 * 86_400_000, to: moment)
            rotations.append(
                RotationView(
                    name: rotation.name, team: rotation.team, zone: rotation.zone.identifier, rows: rows, gaps: rows.filter(\.gap).count,
                    load: loads.map {
                        LoadRow(
                            person: $0.person, pages: $0.pages, nights: $0.nightPages, weekly: $0.weekly.map(String.init).joined(separator: " · "),
                            share: String(format: "%.0f%%", $0.share * 100))
                    },
                    warning: heavy.isEmpty ? nil : heavy.joined(separator: ", ") + " carried more than half of the team's pages in four weeks",
                    acknowledged: median.map { "half the pages were acknowledged within \(DurationText.span($0))" }))
        }
    }

    static let template = """
        <h1>On call</h1>{{#error}}<p class="errors" id="error">{{error}}</p>{{/error}}
        {{#hasPaging}}<h2>Paging now</h2><table id="paging"><tr><th>Alert</th><th>Since</th><th></th></tr>
        {{#paging}}<tr><td>{{alert}}</td><td>{{since}}</td><td>{{#acknowledged}}{{acknowledged}}{{/acknowledged}}{{^acknowledged}}{{#actor}}<form class="inline ack" method="post" action="/oncall/escalations/{{id}}/ack"><button>Acknowledge</button></form>{{/actor}}{{/acknowledged}}</td></tr>{{/paging}}
        </table>{{/hasPaging}}
        <table id="now"><tr><th>Rotation</th><th>Layer</th><th>On call now</th></tr>
        {{#now}}<tr><td>{{rotation}}</td><td>{{layer}}</td>
        <td>{{#person}}{{person}}{{#override}} (override){{/override}}{{/person}}{{^person}}— {{gap}}{{/person}}</td></tr>{{/now}}
        </table>
        {{#rotations}}<section class="rotation" data-rotation="{{name}}"><h2>{{name}}</h2>
        <p>Team {{team}}, hand-offs in {{zone}}. {{gaps}} gaps in the coming four weeks.
        Calendar: <a href="/oncall/{{name}}/calendar.ics">{{name}}.ics</a>.</p>
        <table class="shifts"><tr><th>Layer</th><th>Who</th><th>From</th><th>To</th><th></th></tr>
        {{#rows}}<tr class="{{kind}}"><td>{{layer}}</td><td><a href="/oncall/people/{{person}}/calendar.ics">{{person}}</a></td>
        <td>{{from}}</td><td>{{to}}</td>
        <td>{{#gap}}<b>gap: unavailable</b>{{/gap}}{{^gap}}{{kind}}{{/gap}}</td></tr>{{/rows}}</table>
        <h3>Load, the last four weeks</h3>{{#warning}}<p class="errors warning">{{warning}}.</p>{{/warning}}
        {{#acknowledged}}<p>{{acknowledged}}.</p>{{/acknowledged}}
        <table class="load"><tr><th>Person</th><th>Pages</th><th>At night (22:00–07:00)</th><th>Week by week</th><th>Share</th></tr>
        {{#load}}<tr><td>{{person}}</td><td>{{pages}}</td><td>{{nights}}</td><td>{{weekly}}</td><td>{{share}}</td></tr>{{/load}}</table>
        </section>{{/rotations}}
        {{#hasUnread}}<p id="unread">Availability not understood (these people count as always available):
        {{#unread}}{{.}}; {{/unread}}</p>{{/hasUnread}}
        {{#actor}}<h2>Calendar links</h2>
        <p>A calendar program cannot sign in: a link with a secret opens one rotation's or one person's calendar without it.</p>
        {{#hasLinks}}<table id="links"><tr><th>Opens</th><th>Made by</th><th></th></tr>
        {{#links}}<tr><td>{{feed}}</td><td>{{made}}</td><td><form class="inline" method="post" action="/oncall/calendar-links/{{id}}/revoke"><button>Revoke</button></form></td></tr>{{/links}}
        </table>{{/hasLinks}}
        <form id="new-link" method="post" action="/oncall/calendar-links"><select name="rotation"><option value="">a rotation…</option>{{#rotations}}<option>{{name}}</option>{{/rotations}}</select>
        or <select name="person"><option value="">a person…</option>{{#people}}<option>{{.}}</option>{{/people}}</select> <button>Make a link</button></form>{{/actor}}
        """
}
