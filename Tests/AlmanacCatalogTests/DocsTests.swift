import AlmanacConfig
import Testing

@testable import AlmanacCatalog
@testable import AlmanacDocs

@Suite struct DocsTests {
    static func catalog() throws -> Catalog { try ExampleCatalogTests.example() }

    @Test func frontMatterTiesPagesToEntities() throws {
        let text = "---\ntitle: Restoring images\nentities: [resource:images, product-opener]\ntags: [runbook]\n---\n# Heading\n\nRun `zfs list`.\n"
        let pages = try DocsLoader.load([.init(file: "docs/runbooks/images.md", text: text)], catalog: try Self.catalog()).get()
        #expect(pages.count == 1)
        let page = pages[0]
        #expect(page.slug == "runbooks/images" && page.title == "Restoring images" && page.tags == ["runbook"])
        #expect(page.entities == [EntityRef(kind: .resource, name: "images"), EntityRef(kind: .component, name: "product-opener")])
        #expect(page.html.contains("<h1>Heading</h1>") && page.html.contains("<code>zfs list</code>"))
        #expect(page.text.contains("Run zfs list"))
    }

    @Test func titleFallsBackToTheFirstHeading() throws {
        let pages = try DocsLoader.load([.init(file: "docs/a.md", text: "Intro.\n\n# The title\n")], catalog: try Self.catalog()).get()
        #expect(pages[0].title == "The title")
    }

    @Test func mistakesInFrontMatterNameFileAndLine() throws {
        let text = "---\ntitle: X\nentities: [resource:ghost]\nowner: me\n---\nbody\n"
        guard case .failure(let failure) = DocsLoader.load([.init(file: "docs/x.md", text: text)], catalog: try Self.catalog()) else {
            Issue.record("must fail")
            return
        }
        #expect(
            failure.errors.map(\.description) == [
                "docs/x.md:3: entities[0]: resource:default/ghost is not in the catalogue",
                "docs/x.md:4: owner: unknown field (expected title, entities or tags)",
            ])
        let broken = DocsLoader.load([.init(file: "docs/y.md", text: "---\ntitle: [unclosed\n---\n")], catalog: try Self.catalog())
        #expect((try? broken.get()) == nil)
    }

    @Test func searchFindsEveryWordAndRanksTitles() throws {
        let catalog = try Self.catalog()
        let pages = try DocsLoader.load(
            [
                .init(file: "docs/a.md", text: "# Backups\n\nZFS snapshots are replicated.\n"),
                .init(file: "docs/b.md", text: "# ZFS pools\n\nHow the pools are laid out; backups elsewhere.\n"),
                .init(file: "docs/c.md", text: "# Nginx\n\nNothing about storage.\n"),
            ], catalog: catalog
        ).get()
        #expect(
            DocSearch.search("zfs backups", in: pages).map(\.slug) == ["a", "b"]
                || DocSearch.search("zfs backups", in: pages).map(\.slug) == ["b", "a"])
        #expect(DocSearch.search("pools", in: pages).map(\.slug) == ["b"])
        #expect(DocSearch.search("nginx storage", in: pages).map(\.slug) == ["c"])
        #expect(DocSearch.search("", in: pages).isEmpty)
    }

    @Test func staticSiteHasRelativeLinksAndASearchIndex() throws {
        let catalog = try Self.catalog()
        let pages = try DocsLoader.load(
            [.init(file: "docs/runbooks/images.md", text: "---\nentities: [resource:images]\n---\n# Restoring images\n")], catalog: catalog
        ).get()
        let files = StaticSite.files(catalog: catalog, docs: pages, report: CatalogReport(catalog: catalog, monitored: []), title: "OFF")
        #expect(files.count == 1 + 1 + 50 + 1 + 1 + 1)
        let doc = try #require(files["docs/runbooks/images.html"])
        #expect(doc.contains("href=\"../../catalog/resource/images.html\"") && doc.contains("href=\"../../search.html\""))
        let images = try #require(files["catalog/resource/images.html"])
        #expect(images.contains("href=\"../../docs/runbooks/images.html\">Restoring images</a>"))
        #expect(images.contains("href=\"../../catalog/user/alex.html\""))
        #expect(try #require(files["search-index.json"]).contains("\"url\":\"docs/runbooks/images.html\""))
        #expect(try #require(files["index.html"]).contains("href=\"catalog/resource/images.html\""))
    }
}
