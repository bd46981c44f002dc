import AlmanacCatalog
import AlmanacDocs
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// The catalogue's pages (every service with its tier and owner, the reports, a page per entity
/// that says whom to call) and the documentation pages, with search.
struct CatalogPages: Sendable {
    let knowledge: CatalogConfig
    let monitoring: MonitoringConfig
    let singleHostRoles: @Sendable () async throws -> [CatalogReport.SingleHostRole]
    let renderer: PageRenderer
    static let templates = ["catalog": listTemplate, "body": "{{{body}}}"]

    /// An entity's page: `/catalog/KIND/NAME`, or `/catalog/KIND/NAMESPACE/NAME` outside the default namespace.
    static func link(_ ref: EntityRef) -> String {
        "/catalog/\(ref.kind.rawValue.lowercased())/\(ref.namespace == "default" ? "" : ref.namespace + "/")\(ref.name)"
    }

    func site(_ knowledge: Knowledge) -> SitePages {
        SitePages(
            catalog: knowledge.catalog, docs: knowledge.docs,
            entityLink: Self.link,
            docLink: { "/docs/" + $0 })
    }

    func add(to groups: AccessGroups) {
        let router = groups.viewers
        router.get("/catalog") { _, context in
            let current = knowledge.current
            let catalog = current.catalog
            let link = site(current).entityLink
            let others = catalog.entities.values.filter { !$0.isService && ![.user, .group, .location].contains($0.ref.kind) }
            let page = CatalogListPage(
                services: catalog.services.map { s in
                    CatalogListPage.Service(
                        link: link(s.ref), name: s.ref.shortText, tier: s.tier?.rawValue ?? "", owner: s.owner?.shortText ?? "",
                        system: s.system?.shortText ?? "", technologies: s.technologies.joined(separator: ", "))
                },
                others: others.sorted { $0.ref < $1.ref }.map {
                    CatalogListPage.Other(link: link($0.ref), name: $0.ref.shortText, kind: $0.ref.kind.rawValue, owner: $0.owner?.shortText ?? "")
                },
                people: catalog.people.count, warnings: catalog.warnings.map(\.description), error: knowledge.error)
            return renderer.page("catalog", title: "Catalogue", actor: context.actor, context: page)
        }
        router.get("/catalog/report") { request, context in
            let current = knowledge.current
            let person = request.uri.queryParameters.get("person").flatMap { name in current.catalog.people.first { $0.ref.name == name }?.ref }
            let report = CatalogReport(
                catalog: current.catalog, monitored: monitoring.current.serviceNames, absent: person, singleHostRoles: try await singleHostRoles())
            let options = current.catalog.people.map { "<option\($0.ref == person ? " selected" : "")>\($0.ref.name)</option>" }.joined()
            let form =
                "<form method=\"get\" action=\"/catalog/report\"><label>If this person left: <select name=\"person\"><option value=\"\">nobody</option>"
                + options + "</select></label> <button>Show</button></form>"
            return body(
                "Who knows what", context,
                form + site(current).report(report)
                    + "<p><code>almanac catalog report --format markdown</code> prints the same, ready to commit.</p>")
        }
        router.get("/catalog/:kind/:name") { _, context in
            try entityPage(context, namespace: "default", name: try context.parameters.decoded("name"))
        }
        // Other namespaces: /catalog/KIND/NAMESPACE/NAME (the router wants one parameter name per position).
        router.get("/catalog/:kind/:name/:inner") { _, context in
            try entityPage(context, namespace: try context.parameters.decoded("name"), name: try context.parameters.require("inner"))
        }
        router.get("/docs") { request, context in
            let current = knowledge.current
            let query = request.uri.queryParameters.get("q") ?? ""
            var html =
                "<form method=\"get\" action=\"/docs\"><input name=\"q\" value=\"\(HTML.escape(query))\" placeholder=\"search\"> <button>Search</button></form>"
            if query.isEmpty {
                html += site(current).docsIndex()
            } else {
                let hits = DocSearch.search(query, in: current.docs)
                html +=
                    "<h1>Search: \(HTML.escape(query)) <small>(\(hits.count))</small></h1><ol id=\"results\">"
                    + hits.map { "<li><a href=\"/docs/\($0.slug)\">\(HTML.escape($0.title))</a></li>" }.joined() + "</ol>"
            }
            return body("Documentation", context, html)
        }
        router.get("/docs/**") { _, context in
            let slug = context.parameters.getCatchAll().joined(separator: "/")
            let current = knowledge.current
            guard let page = current.docs.first(where: { $0.slug == slug }) else { return Response(status: .notFound) }
            return body(page.title, context, site(current).doc(page))
        }
    }

    private func entityPage(_ context: AlmanacRequestContext, namespace: String, name: String) throws -> Response {
        let current = knowledge.current
        guard let kind = EntityKind(caseInsensitive: try context.parameters.require("kind")),
            let entity = current.catalog[EntityRef(kind: kind, namespace: namespace, name: name)]
        else { return Response(status: .notFound) }
        return body(entity.title ?? entity.ref.name, context, site(current).entity(entity))
    }

    private func body(_ title: String, _ context: AlmanacRequestContext, _ html: String) -> Response {
        renderer.page("body", title: title, actor: context.actor, context: HTMLBody(body: html))
    }

    static let listTemplate = """
        <h1>Catalogue <small>({{count}} services, {{people}} people)</small></h1>
        {{#error}}<p class="error" id="reload-error">The catalogue or documentation files have an error; the last good set stays in force until it is fixed:<br><code>{{error}}</code></p>{{/error}}
        <p><a href="/catalog/report">Who knows what: skills and gaps</a> · <a href="/docs">Documentation</a></p>
        <table id="services"><tr><th>Service</th><th>Tier</th><th>Owner</th><th>System</th><th>Technologies</th></tr>
        {{#services}}<tr class="{{tier}}"><td><a href="{{link}}">{{name}}</a></td><td>{{tier}}</td><td>{{owner}}</td><td>{{system}}</td><td>{{technologies}}</td></tr>{{/services}}
        </table>
        {{#hasOthers}}<h2>APIs, systems and other kinds</h2><table id="others"><tr><th>Name</th><th>Kind</th><th>Owner</th></tr>
        {{#others}}<tr><td><a href="{{link}}">{{name}}</a></td><td>{{kind}}</td><td>{{owner}}</td></tr>{{/others}}</table>{{/hasOthers}}
        {{#hasWarnings}}<h2>Loaded, worth a look</h2><ul id="warnings">{{#warnings}}<li><code>{{.}}</code></li>{{/warnings}}</ul>{{/hasWarnings}}
        """
}

/// What the catalogue list reads.
struct CatalogListPage {
    struct Service {
        var link, name, tier, owner, system, technologies: String
    }

    struct Other {
        var link, name, kind, owner: String
    }

    var services: [Service]
    var others: [Other]
    var hasOthers: Bool
    var count: Int
    var people: Int
    var warnings: [String]
    var hasWarnings: Bool
    var error: String?

    init(services: [Service], others: [Other], people: Int, warnings: [String], error: String?) {
        self.services = services
        self.others = others
        hasOthers = !others.isEmpty
        count = services.count
        self.people = people
        self.warnings = warnings
        hasWarnings = !warnings.isEmpty
        self.error = error
    }
}

/// A page whose HTML the domain library made (the catalogue's and the documentation's pages).
struct HTMLBody {
    var body: String
}
