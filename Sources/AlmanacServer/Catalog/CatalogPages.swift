import AlmanacCatalog
import AlmanacReporting
import Foundation
import Hummingbird

/// The catalogue's pages: every service with its tier and owner, the reports, and a page per
/// entity that says whom to call.
struct CatalogPages: Sendable {
    let catalog: CatalogConfig
    let monitoring: MonitoringConfig
    let auth: Authenticator
    let renderer = PageRenderer(templates: ["catalog": CatalogTemplates.list, "catalog-report": CatalogTemplates.report, "entity": CatalogTemplates.entity])

    func register(on router: Router<BasicRequestContext>) {
        router.get("/catalog") { request, _ in
            let current = catalog.current
            let rows: [[String: Any]] = current.services.map { s in
                [
                    "kind": s.ref.kind.rawValue.lowercased(), "name": s.ref.name, "tier": s.tier?.rawValue ?? "", "owner": s.owner?.shortText ?? "",
                    "system": s.system?.shortText ?? "", "technologies": s.technologies.joined(separator: ", "),
                ]
            }
            var context: [String: Any] = ["services": rows, "count": rows.count, "people": current.people.count]
            if let error = catalog.error { context["error"] = error }
            return renderer.page("catalog", title: "Catalogue", actor: auth.admin(request), context: context)
        }
        router.get("/catalog/report") { request, _ in
            let current = catalog.current
            let person = request.uri.queryParameters.get("person").flatMap { name in current.people.first { $0.ref.name == name }?.ref }
            let report = CatalogReport(catalog: current, monitored: monitoring.current.serviceNames, absent: person)
            let sections: [[String: Any]] = report.sections.map { s in
                ["id": s.id, "title": s.title, "note": s.note, "table": s.table.rows.isEmpty ? "<p>None.</p>" : s.table.html(id: s.id), "count": s.table.rows.count]
            }
            let people: [[String: Any]] = current.people.map { ["name": $0.ref.name, "selected": $0.ref == person] }
            return renderer.page("catalog-report", title: "Who knows what", actor: auth.admin(request), context: ["sections": sections, "people": people])
        }
        router.get("/catalog/:kind/:name") { request, context in
            let current = catalog.current
            guard let kind = EntityKind(caseInsensitive: try context.parameters.require("kind")),
                let entity = current[EntityRef(kind: kind, name: try context.parameters.require("name"))]
            else { return Response(status: .notFound) }
            return renderer.page("entity", title: entity.title ?? entity.ref.name, actor: auth.admin(request), context: Self.describe(entity, in: current))
        }
    }

    static func link(_ ref: EntityRef) -> [String: Any] {
        ["href": "/catalog/\(ref.kind.rawValue.lowercased())/\(ref.name)", "text": ref.shortText, "kind": ref.kind.rawValue]
    }

    /// Who to call and what hangs on it.
    static func describe(_ entity: Entity, in catalog: Catalog) -> [String: Any] {
        let coverage = Coverage(catalog: catalog)
        let technologies: [[String: Any]] = entity.technologies.map { t in
            let capable = coverage.capable(t)
            return ["name": t, "people": capable.map { link($0.ref) }, "thin": capable.count < 2, "count": capable.count]
        }
        let skills: [[String: Any]] = entity.skills.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ["technology": $0.key, "level": $0.value.rawValue] }
        var out: [String: Any] = [
            "name": entity.title ?? entity.ref.name, "ref": entity.ref.description, "kind": entity.ref.kind.rawValue,
            "description": entity.description ?? "", "tier": entity.tier?.rawValue ?? "", "critical": entity.tier?.isCritical ?? false,
            "contacts": catalog.contacts(for: entity).map { link($0.ref) }, "technologies": technologies,
            "dependsOn": entity.dependsOn.map(link), "dependants": catalog.dependants(of: entity.ref).map { link($0.ref) },
            "servers": entity.servers.joined(separator: ", "), "links": entity.links.map { ["url": $0.url, "title": $0.title ?? $0.url] },
            "skills": skills, "hasSkills": !skills.isEmpty, "availability": entity.availability ?? "", "source": "\(entity.file):\(entity.line)",
            "members": entity.ref.kind == .group ? catalog.members(of: entity.ref).map { link($0.ref) } : [],
        ]
        out["hasTechnologies"] = !technologies.isEmpty
        out["hasMembers"] = !(out["members"] as? [Any] ?? []).isEmpty
        out["hasLinks"] = !entity.links.isEmpty
        if let owner = entity.owner { out["owner"] = link(owner) }
        if let system = entity.system { out["system"] = link(system) }
        if let runbook = entity.runbook { out["runbook"] = runbook }
        return out
    }
}

enum CatalogTemplates {
    static let list = """
        <h1>Catalogue <small>({{count}} services, {{people}} people)</small></h1>
        {{#error}}<p class="error" id="reload-error">The catalogue files have an error; the catalogue below stays in force until it is fixed:<br><code>{{error}}</code></p>{{/error}}
        <p><a href="/catalog/report">Who knows what: skills and gaps</a></p>
        <table id="services"><tr><th>Service</th><th>Tier</th><th>Owner</th><th>System</th><th>Technologies</th></tr>
        {{#services}}<tr class="{{tier}}"><td><a href="/catalog/{{kind}}/{{name}}">{{name}}</a></td><td>{{tier}}</td><td>{{owner}}</td><td>{{system}}</td><td>{{technologies}}</td></tr>{{/services}}
        </table>
        """

    static let report = """
        <h1>Who knows what</h1>
        <form method="get" action="/catalog/report"><label>If this person left: <select name="person"><option value="">nobody</option>
        {{#people}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/people}}</select></label> <button>Show</button></form>
        {{#sections}}<section id="section-{{id}}"><h2>{{title}} <small>({{count}})</small></h2>{{#note}}<p>{{note}}</p>{{/note}}{{{table}}}</section>{{/sections}}
        <p><code>almanac catalog report --format markdown</code> prints the same, ready to commit.</p>
        """

    static let entity = """
        <h1>{{name}} <small>{{kind}}</small></h1>
        <p><code>{{ref}}</code> · defined in <code>{{source}}</code></p>
        {{#description}}<p>{{description}}</p>{{/description}}
        {{#tier}}<p id="tier" class="{{tier}}">Tier: <strong>{{tier}}</strong></p>{{/tier}}
        <h2>Who to call</h2>
        <ul id="contacts">{{#owner}}<li>Owner: <a href="{{href}}">{{text}}</a></li>{{/owner}}{{#contacts}}<li><a href="{{href}}">{{text}}</a></li>{{/contacts}}</ul>
        {{#runbook}}<p>Runbook: <a id="runbook" href="{{runbook}}">{{runbook}}</a></p>{{/runbook}}
        {{#hasTechnologies}}<h2>Technologies and who can handle them</h2><table id="technologies"><tr><th>Technology</th><th>People (practised or expert)</th></tr>
        {{#technologies}}<tr{{#thin}} class="thin"{{/thin}}><td>{{name}}</td><td>{{#people}}<a href="{{href}}">{{text}}</a> {{/people}}{{^people}}nobody{{/people}}{{#thin}} ⚠ fewer than two{{/thin}}</td></tr>{{/technologies}}</table>{{/hasTechnologies}}
        {{#servers}}<p>Runs on: {{servers}}</p>{{/servers}}
        {{#system}}<p>System: <a href="{{href}}">{{text}}</a></p>{{/system}}
        <h2>Depends on</h2><ul id="depends-on">{{#dependsOn}}<li><a href="{{href}}">{{text}}</a> ({{kind}})</li>{{/dependsOn}}{{^dependsOn}}<li>nothing</li>{{/dependsOn}}</ul>
        <h2>Depended on by</h2><ul id="dependants">{{#dependants}}<li><a href="{{href}}">{{text}}</a> ({{kind}})</li>{{/dependants}}{{^dependants}}<li>nothing</li>{{/dependants}}</ul>
        {{#hasSkills}}<h2>Skills</h2><table id="skills">{{#skills}}<tr><td>{{technology}}</td><td>{{level}}</td></tr>{{/skills}}</table>{{/hasSkills}}
        {{#availability}}<p>Availability: {{availability}}</p>{{/availability}}
        {{#hasMembers}}<h2>Members</h2><ul id="members">{{#members}}<li><a href="{{href}}">{{text}}</a></li>{{/members}}</ul>{{/hasMembers}}
        {{#hasLinks}}<h2>Documentation</h2><ul>{{#links}}<li><a href="{{url}}">{{title}}</a></li>{{/links}}</ul>{{/hasLinks}}
        """
}
