import AlmanacCatalog
import AlmanacReporting

/// Page bodies shared by the server and the static site; `link` turns a reference or a doc slug
/// into a URL in the page's setting (absolute on the server, relative in the site).
public struct SitePages: Sendable {
    public let catalog: Catalog
    public let docs: [DocPage]
    public let entityLink: @Sendable (EntityRef) -> String
    public let docLink: @Sendable (String) -> String
    /// Built once: every entity page reads who can handle each technology.
    let coverage: Coverage

    public init(
        catalog: Catalog, docs: [DocPage], entityLink: @escaping @Sendable (EntityRef) -> String, docLink: @escaping @Sendable (String) -> String
    ) {
        self.catalog = catalog
        self.docs = docs
        self.entityLink = entityLink
        self.docLink = docLink
        coverage = Coverage(catalog: catalog)
    }

    func a(_ ref: EntityRef) -> String { "<a href=\"\(HTML.escape(entityLink(ref)))\">\(HTML.escape(ref.shortText))</a>" }
    func list(_ refs: [EntityRef], id: String, empty: String = "nothing") -> String {
        "<ul id=\"\(id)\">" + (refs.isEmpty ? "<li>\(empty)</li>" : refs.map { "<li>\(a($0)) (\($0.kind.rawValue))</li>" }.joined()) + "</ul>"
    }

    /// Whom to call for an entity, and what hangs on it.
    public func entity(_ entity: Entity) -> String {
        let e = HTML.escape
        var out = "<h1>\(e(entity.title ?? entity.ref.name)) <small>\(entity.ref.kind.rawValue)</small></h1>"
        out += "<p><code>\(e(entity.ref.description))</code> · defined in <code>\(e(entity.file)):\(entity.line)</code></p>"
        if let d = entity.description { out += "<p>\(e(d))</p>" }
        if let tier = entity.tier { out += "<p id=\"tier\" class=\"\(tier.rawValue)\">Tier: <strong>\(tier.rawValue)</strong></p>" }
        if !entity.ref.kind.isCore {
            out += "<p id=\"plugin-kind\">\(e(entity.ref.kind.rawValue)) is a kind a Backstage plugin adds: its name, owner, relations and "
            out += "annotations are read.</p>"
        }
        if entity.isService || entity.ref.kind == .system || !entity.ref.kind.isCore {
            out += "<h2>Who to call</h2><ul id=\"contacts\">"
            if let owner = entity.owner { out += "<li>Owner: \(a(owner))</li>" }
            out += catalog.contacts(for: entity).map { "<li>\(a($0.ref))</li>" }.joined() + "</ul>"
        } else if let owner = entity.owner {
            out += "<p>Owner: \(a(owner))</p>"
        }
        if let runbook = entity.runbook { out += "<p>Runbook: <a id=\"runbook\" href=\"\(e(runbook))\">\(e(runbook))</a></p>" }
        if !entity.technologies.isEmpty {
            out +=
                "<h2>Technologies and who can handle them</h2><table id=\"technologies\"><tr><th>Technology</th><th>People (practised or expert)</th></tr>"
            for t in entity.technologies {
                let people = coverage.capable(t)
                let names = people.isEmpty ? "nobody" : people.map { a($0.ref) }.joined(separator: " ")
                out +=
                    "<tr\(people.count < 2 ? " class=\"thin\"" : "")><td>\(e(t))</td><td>\(names)\(people.count < 2 ? " ⚠ fewer than two" : "")</td></tr>"
            }
            out += "</table>"
        }
        if !entity.servers.isEmpty { out += "<p>Runs on: \(e(entity.servers.joined(separator: ", ")))</p>" }
        if let system = entity.system { out += "<p>System: \(a(system))</p>" }
        out += api(entity)
        if entity.isService || !entity.ref.kind.isCore {
            out += "<h2>Depends on</h2>" + list(entity.dependsOn, id: "depends-on")
            out += "<h2>Depended on by</h2>" + list(catalog.dependants(of: entity.ref).map(\.ref), id: "dependants")
        }
        if !entity.skills.isEmpty {
            out +=
                "<h2>Skills</h2><table id=\"skills\">"
                + entity.skills.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "<tr><td>\(e($0.key))</td><td>\($0.value.rawValue)</td></tr>" }.joined() + "</table>"
        }
        if let availability = entity.availability { out += "<p>Availability: \(e(availability))</p>" }
        if entity.ref.kind == .group { out += "<h2>Members</h2>" + list(catalog.members(of: entity.ref).map(\.ref), id: "members", empty: "nobody") }
        let pages = docs.filter { $0.entities.contains(entity.ref) }
        if !pages.isEmpty || !entity.links.isEmpty {
            out += "<h2>Documentation</h2><ul id=\"docs\">" + pages.map { "<li><a href=\"\(e(docLink($0.slug)))\">\(e($0.title))</a></li>" }.joined()
            out += entity.links.map { "<li><a href=\"\(e($0.url))\">\(e($0.title ?? $0.url))</a></li>" }.joined() + "</ul>"
        }
        if !entity.annotations.isEmpty {
            out += "<h2>Annotations</h2><table id=\"annotations\">"
            out += entity.annotations.sorted { $0.key < $1.key }.map { "<tr><td><code>\(e($0.key))</code></td><td>\(e($0.value))</td></tr>" }.joined()
            out += "</table>"
        }
        return out
    }

    /// What an API offers and where: its definition (often pulled in with `$text`) or its remotes.
    func api(_ entity: Entity) -> String {
        var out = ""
        if !entity.providesApis.isEmpty { out += "<h2>Provides</h2>" + list(entity.providesApis, id: "provides-apis") }
        if !entity.consumesApis.isEmpty { out += "<h2>Consumes</h2>" + list(entity.consumesApis, id: "consumes-apis") }
        if !entity.remotes.isEmpty {
            out += "<h2>Served at</h2><ul id=\"remotes\">" + entity.remotes.map { "<li><code>\(HTML.escape($0))</code></li>" }.joined() + "</ul>"
        }
        if let definition = entity.definition {
            out += "<details id=\"definition\"><summary>Definition (\(HTML.escape(entity.type ?? "text")), \(definition.utf8.count) bytes)</summary>"
            out += "<pre>\(HTML.escape(definition))</pre></details>"
        }
        return out
    }

    /// A documentation page with the entities it is about.
    public func doc(_ page: DocPage) -> String {
        var out = "<article id=\"doc\">" + page.html + "</article>"
        if !page.entities.isEmpty { out += "<aside><h2>About</h2>" + list(page.entities, id: "doc-entities") + "</aside>" }
        if !page.tags.isEmpty { out += "<p>Tags: " + page.tags.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " ") + "</p>" }
        return out
    }

    /// The list of documentation pages.
    public func docsIndex() -> String {
        "<h1>Documentation <small>(\(docs.count) pages)</small></h1><ul id=\"doc-list\">"
            + docs.map { "<li><a href=\"\(HTML.escape(docLink($0.slug)))\">\(HTML.escape($0.title))</a></li>" }.joined() + "</ul>"
    }

    /// The catalogue report's sections.
    public func report(_ report: CatalogReport) -> String {
        "<h1>Who knows what</h1>"
            + report.sections.map { s in
                "<section id=\"section-\(s.id)\"><h2>\(HTML.escape(s.title)) <small>(\(s.table.rows.count))</small></h2>"
                    + (s.note.isEmpty ? "" : "<p>\(HTML.escape(s.note))</p>") + (s.table.rows.isEmpty ? "<p>None.</p>" : s.table.html(id: s.id))
                    + "</section>"
            }.joined()
    }
}

/// Word search over documentation pages: every word of the query must appear; title hits rank first.
public enum DocSearch {
    public static func search(_ query: String, in pages: [DocPage]) -> [DocPage] {
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard !words.isEmpty else { return [] }
        let scored: [(DocPage, Int)] = pages.compactMap { page in
            let title = page.title.lowercased()
            let text = page.text.lowercased()
            guard words.allSatisfy({ title.contains($0) || text.contains($0) }) else { return nil }
            return (page, words.reduce(0) { $0 + (title.contains($1) ? 10 : 0) + text.components(separatedBy: $1).count - 1 })
        }
        return scored.sorted { ($0.1, $1.0.slug) > ($1.1, $0.0.slug) }.map(\.0)
    }
}
