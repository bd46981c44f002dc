import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// The monthly infrastructure meeting's agenda as a page: the same items as
/// `almanac report meeting`, from the trends, the catalogue, the flags, incidents, checks and drills.
struct MeetingDomain: Domain {
    let database: Database
    let monitoring: MonitoringDomain
    let catalog: CatalogDomain
    let flags: FlagService

    var reloadables: [any Reloadable] { [] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Meeting", path: "/meeting", group: .people)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let renderer = web.renderer(["meeting": Self.template])
        web.access.groups(routes).viewers.get("/meeting") { _, context in
            let now = web.clock.milliseconds()
            let items = try await MeetingItems.gather(
                database: database, trends: monitoring.config.current.trendCollector(store: monitoring.series),
                catalog: catalog.knowledge.current.catalog,
                flags: flags.evaluator.flags, clock: web.clock)
            let sections = MeetingItem.Section.allCases.map { section in
                Section(title: section.rawValue, items: items.filter { $0.section == section }.map { Item(title: $0.title, detail: $0.detail) })
            }
            let page = Page(month: String(ReportFormat.date(now).prefix(7)), sections: sections)
            return renderer.page("meeting", title: "Infrastructure meeting", actor: context.actor, context: page)
        }
        return routes
    }

    struct Item {
        var title, detail: String
    }

    struct Section {
        var title: String
        var items: [Item]
    }

    struct Page {
        var month: String
        var sections: [Section]
    }

    static let template = """
        <h1>Infrastructure meeting, {{month}}</h1>
        <p>What needs a decision this month. <code>almanac report meeting --format markdown</code> prints the same agenda;
        with <code>--file-issues</code> each item becomes (or updates) an issue in the tracker <code>meeting.yaml</code> names.</p>
        {{#sections}}<section class="agenda"><h2>{{title}}</h2><ul>{{#items}}<li><b>{{title}}</b>: {{detail}}</li>{{/items}}</ul>
        {{^items}}<p>Nothing this month.</p>{{/items}}</section>{{/sections}}
        """
}
