import AlmanacRuntime
import Hummingbird

/// One thing found by name: a flag, a series, an entity of the catalogue, a check, a person.
struct SearchHit: Sendable {
    var title: String
    var kind: String
    var path: String
    var detail: String = ""

    /// How well `name` matches `query` (lowercased): exact, then prefix, then anywhere; nil
    /// when the name itself does not hold it.
    static func rank(_ name: String, _ query: String) -> Int? {
        let name = name.lowercased()
        if name == query { return 0 }
        if name.hasPrefix(query) { return 1 }
        return name.contains(query) ? 2 : nil
    }
}

/// `/search?q=`: every domain's things whose name holds the words, best matches first.
struct SearchPage {
    struct Row {
        var title, kind, path, detail: String
    }

    var query: String
    var rows: [Row]
    var count: Int
    var tooShort: Bool

    static let maximumQuery = 100
    static let limit = 50

    static let template = """
        <h1>Search</h1>
        <form method="get" action="/search"><input type="search" name="q" value="{{query}}" aria-label="Search"> <button>Find</button></form>
        {{#tooShort}}<p>Type at least two letters of a name.</p>{{/tooShort}}
        {{^tooShort}}<p id="count">{{count}} found for <strong>{{query}}</strong>.</p>
        <table id="results"><tr><th>Name</th><th>Kind</th><th>Detail</th></tr>
        {{#rows}}<tr><td><a href="{{path}}">{{title}}</a></td><td>{{kind}}</td><td>{{detail}}</td></tr>{{/rows}}</table>{{/tooShort}}
        """

    static func add(to groups: AccessGroups, renderer: PageRenderer, domains: [any Domain]) {
        groups.viewers.get("/search") { request, context in
            let query = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(maximumQuery))
                .trimmingCharacters(in: .whitespaces)
            let needle = query.lowercased()
            guard needle.count >= 2 else {
                return renderer.page(
                    "search", title: "Search", actor: context.actor, context: SearchPage(query: query, rows: [], count: 0, tooShort: true))
            }
            var hits: [(rank: Int, hit: SearchHit)] = []
            for domain in domains {
                // A domain may match on more than the title (an entity's display name): those come last.
                for hit in try await domain.search(needle) { hits.append((SearchHit.rank(hit.title, needle) ?? 3, hit)) }
            }
            let rows = hits.sorted { ($0.rank, $0.hit.title) < ($1.rank, $1.hit.title) }.prefix(limit).map {
                Row(title: $0.hit.title, kind: $0.hit.kind, path: $0.hit.path, detail: $0.hit.detail)
            }
            return renderer.page(
                "search", title: "Search", actor: context.actor,
                context: SearchPage(query: query, rows: Array(rows), count: hits.count, tooShort: false))
        }
    }
}
