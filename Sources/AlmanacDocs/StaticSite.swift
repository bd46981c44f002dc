import AlmanacCatalog
import AlmanacConfig
import AlmanacReporting

/// The documentation and catalogue as a static HTML site the team can publish anywhere: plain
/// files with relative links, and a search page over a JSON index.
public enum StaticSite {
    /// Path inside the site → content.
    public static func files(catalog: Catalog, docs: [DocPage], report: CatalogReport, title: String = "Almanac") -> [String: String] {
        var files: [String: String] = [:]
        // One set of page builders per folder depth: links differ only by their `../` prefix.
        var builders: [Int: SitePages] = [:]
        func pages(depth: Int) -> SitePages {
            if let built = builders[depth] { return built }
            let root = String(repeating: "../", count: depth)
            let built = SitePages(
                catalog: catalog, docs: docs, entityLink: { root + entityPath($0) }, docLink: { root + "docs/" + $0 + ".html" })
            builders[depth] = built
            return built
        }
        func add(_ path: String, _ pageTitle: String, _ body: (SitePages) -> String) {
            let depth = path.split(separator: "/").count - 1
            files[path] = layout(
                title: "\(pageTitle) · \(title)", site: title, root: String(repeating: "../", count: depth), body: body(pages(depth: depth)))
        }
        add("index.html", "Home") { site in
            site.docsIndex()
                + "<h1>Catalogue <small>(\(catalog.services.count) services)</small></h1><table id=\"services\"><tr><th>Service</th><th>Tier</th><th>Owner</th></tr>"
                + catalog.services.map {
                    "<tr><td>\(site.a($0.ref))</td><td>\($0.tier?.rawValue ?? "")</td><td>\($0.owner.map(site.a) ?? "")</td></tr>"
                }.joined()
                + "</table>"
        }
        for page in docs { add("docs/\(page.slug).html", page.title) { $0.doc(page) } }
        for entity in catalog.entities.values { add(entityPath(entity.ref), entity.title ?? entity.ref.name) { $0.entity(entity) } }
        add("report.html", "Who knows what") { $0.report(report) }
        add("search.html", "Search") { _ in searchPage }
        let index: [JSONValue] =
            docs.map { page in
                ["url": .string("docs/\(page.slug).html"), "title": .string(page.title), "text": .string(page.text)]
            }
            + catalog.entities.values.sorted { $0.ref < $1.ref }.map { entity in
                [
                    "url": .string(entityPath(entity.ref)), "title": .string("\(entity.ref.shortText) (\(entity.ref.kind.rawValue))"),
                    "text": .string(
                        ([entity.description ?? "", entity.tier?.rawValue ?? ""] + entity.technologies + entity.servers).joined(separator: " ")),
                ]
            }
        files["search-index.json"] = JSONWriter.string(.array(index))
        return files
    }

    public static func entityPath(_ ref: EntityRef) -> String {
        "catalog/\(ref.kind.rawValue.lowercased())/\(ref.namespace == "default" ? "" : ref.namespace + "-")\(ref.name).html"
    }

    static func layout(title: String, site: String, root: String, body: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title><style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60em;padding:1em}
        header a{margin-right:1em}table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}
        .thin,.critical-for-us{background:#fff3f0}</style></head><body>
        <header><strong>\(HTML.escape(site))</strong> <a href="\(root)index.html">Home</a><a href="\(root)report.html">Who knows what</a><a href="\(root)search.html">Search</a></header>
        <main>\(body)</main></body></html>

        """
    }

    /// Search runs in the reader's browser over `search-index.json`: a static host has no server.
    static let searchPage = """
        <h1>Search</h1><form id="search-form"><input id="q" name="q" autofocus placeholder="zfs, backups, restore…"> <button>Search</button></form>
        <ol id="results"></ol>
        <script>
        (async () => {
          const index = await (await fetch('search-index.json')).json();
          const form = document.getElementById('search-form'), box = document.getElementById('q'), results = document.getElementById('results');
          function run() {
            const words = box.value.toLowerCase().split(/[^\\p{L}\\p{N}]+/u).filter(Boolean);
            results.innerHTML = '';
            if (!words.length) return;
            const hits = index.map(e => {
              const title = e.title.toLowerCase(), text = e.text.toLowerCase();
              if (!words.every(w => title.includes(w) || text.includes(w))) return null;
              return [words.reduce((s, w) => s + (title.includes(w) ? 10 : 0) + text.split(w).length - 1, 0), e];
            }).filter(Boolean).sort((a, b) => b[0] - a[0]);
            for (const [, e] of hits) {
              const li = document.createElement('li'), a = document.createElement('a');
              a.href = e.url; a.textContent = e.title; li.appendChild(a); results.appendChild(li);
            }
          }
          form.addEventListener('submit', ev => { ev.preventDefault(); run(); history.replaceState(null, '', '?q=' + encodeURIComponent(box.value)); });
          const initial = new URLSearchParams(location.search).get('q');
          if (initial) { box.value = initial; run(); }
        })();
        </script>
        """
}
