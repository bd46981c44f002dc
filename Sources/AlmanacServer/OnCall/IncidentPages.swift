import AlmanacOnCall
import AlmanacReporting

/// The incident pages: the list, and one incident with its timeline in time order.
enum IncidentPages {
    struct List {
        struct Item {
            var id, title, opened: String
            var state: String
        }

        var items: [Item]

        init(_ incidents: [(incident: Incident, open: Bool)]) {
            items = incidents.map {
                Item(
                    id: $0.incident.id, title: $0.incident.title, opened: ReportFormat.moment($0.incident.openedAt, seconds: false),
                    state: $0.incident.resolvedAt == nil ? "open" : "resolved")
            }
        }
    }

    struct Page {
        struct Row {
            var at, kind, text: String
            var by: String?
        }

        var id, title, opened, openedBy, state: String
        var summary: String?
        var rows: [Row]

        init(_ incident: Incident, open: Bool, timeline: [Incident.Event]) {
            id = incident.id
            title = incident.title
            opened = ReportFormat.moment(incident.openedAt, seconds: false)
            openedBy = incident.openedBy
            state = incident.resolvedAt.map { "resolved \(ReportFormat.moment($0, seconds: false))" } ?? "open"
            summary = incident.summary
            rows = timeline.map { Row(at: ReportFormat.moment($0.at), kind: $0.kind.rawValue, text: $0.text, by: $0.by) }
        }
    }

    static let listTemplate = """
        <h1>Incidents</h1><p>A firing critical alert opens one (later alerts join the open one); operators open one, add notes and
        resolve it through the API (<code>POST /api/v1/incidents</code>).</p>
        <table id="incidents"><tr><th>Opened</th><th>Incident</th><th>State</th></tr>
        {{#items}}<tr class="{{state}}"><td>{{opened}}</td><td><a href="/incidents/{{id}}">{{title}}</a></td><td>{{state}}</td></tr>{{/items}}
        </table>
        """

    static let template = """
        <h1>{{title}}</h1><p>Opened {{opened}} by {{openedBy}}; <span id="state">{{state}}</span>.
        <a href="/api/v1/incidents/{{id}}/postmortem">Postmortem draft (Markdown)</a>.</p>
        {{#summary}}<p id="summary">{{summary}}</p>{{/summary}}
        <h2>Timeline</h2><table id="timeline"><tr><th>Time</th><th>What</th><th></th><th>Who</th></tr>
        {{#rows}}<tr class="{{kind}}"><td>{{at}}</td><td>{{kind}}</td><td>{{text}}</td><td>{{by}}</td></tr>{{/rows}}</table>
        """
}
