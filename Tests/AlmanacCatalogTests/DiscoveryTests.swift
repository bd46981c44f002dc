import AlmanacConfig
import Testing

@testable import AlmanacCatalog

/// A catalogue laid out as Backstage repositories are: a root `Location`, nested locations with
/// globs, definitions pulled in with `$text`, `$json` and `$yaml`, a plugin's kind, an API
/// served by a remote, several namespaces.
@Suite struct DiscoveryTests {
    static let repository: [String: String] = [
        "catalog/all.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec:
          type: file
          targets: [./org.yaml, ../services/*/catalog-info.yaml, ../apis/**/*.catalog-info.yaml]
        """,
        "catalog/org.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: platform}
        spec: {type: team, children: [], members: [ana]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {name: ana}
        spec: {memberOf: [platform]}
        """,
        "catalog/README.yaml": "title: not an entity\nnotes: [written for people]\n",
        "services/search/catalog-info.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: search, namespace: off, annotations: {backstage.io/techdocs-ref: "dir:."}}
        spec:
          type: service
          lifecycle: production
          owner: group:default/platform
          providesApis: [search-api, events, graph]
          consumesApis: [assistant]
          dependsOn: [mcp:tools/indexer]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: search-extras, namespace: off}
        spec: {targets: [./extras/*.yaml]}
        """,
        "services/search/extras/indexer.yaml": """
        apiVersion: example.org/v1
        kind: MCP
        metadata: {name: indexer, namespace: tools}
        spec: {transport: stdio, owner: group:default/platform, settings: {$json: ./settings.json}}
        """,
        "services/search/extras/settings.json": #"{"threads": 4}"#,
        "services/search/openapi.yaml": "openapi: 3.1.0\ninfo: {title: Search, version: '1'}\npaths: {}\n",
        "apis/search/search.catalog-info.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: search-api, namespace: off}
        spec: {type: openapi, lifecycle: production, owner: group:default/platform, definition: {$text: ../../services/search/openapi.yaml}}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: events, namespace: off}
        spec: {type: asyncapi, lifecycle: beta, owner: group:default/platform, definition: {$text: ./events.asyncapi.yaml}}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: graph, namespace: off, labels: {$yaml: ./labels.yaml}}
        spec: {type: graphql, lifecycle: beta, owner: group:default/platform, definition: {$text: ./schema.graphql}}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: assistant, namespace: off}
        spec:
          type: mcp-server
          lifecycle: experimental
          owner: group:default/platform
          remotes: [{url: "https://mcp.example.org/sse", type: sse}]
        """,
        "apis/search/events.asyncapi.yaml": "asyncapi: 3.0.0\ninfo: {title: Events, version: '1'}\n",
        "apis/search/schema.graphql": "type Query { products(q: String!): [String!]! }\n",
        "apis/search/labels.yaml": "team: search\n",
        "apis/search/draft.yaml": "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: draft}\n",
    ]

    static func load(_ files: [String: String]) -> Result<Catalog, CatalogErrors> {
        CatalogLoader.load(from: MemorySource(files), seeds: files.keys.filter { $0.hasPrefix("catalog/") }.sorted())
    }

    static func errors(_ files: [String: String]) -> [String] {
        guard case .failure(let failure) = load(files) else { return [] }
        return failure.errors.map(\.description)
    }

    @Test func loadsABackstageRepository() throws {
        let catalog = try Self.load(Self.repository).get()
        let refs = catalog.entities.keys.map(\.description).sorted()
        #expect(
            refs == [
                "api:off/assistant", "api:off/events", "api:off/graph", "api:off/search-api", "component:off/search", "group:default/platform",
                "location:default/root", "location:off/search-extras", "mcp:tools/indexer", "user:default/ana",
            ])
        let search = try #require(catalog[EntityRef(kind: .component, namespace: "off", name: "search")])
        #expect(search.dependsOn.map(\.description) == ["mcp:tools/indexer"])
        let indexer = try #require(catalog[search.dependsOn[0]])
        #expect(indexer.ref.kind.rawValue == "MCP" && indexer.owner == EntityRef(kind: .group, name: "platform"))
        #expect(catalog.dependants(of: indexer.ref).map(\.ref.name) == ["search"], "a plugin's kind takes part in relations")
        let api = { (name: String) in catalog[EntityRef(kind: .api, namespace: "off", name: name)] }
        #expect(api("search-api")?.definition?.hasPrefix("openapi: 3.1.0") == true)
        #expect(api("events")?.definition?.hasPrefix("asyncapi: 3.0.0") == true)
        #expect(api("graph")?.definition?.contains("type Query") == true)
        #expect(api("assistant")?.definition == nil && api("assistant")?.remotes == ["https://mcp.example.org/sse"])
        #expect(!catalog.files.contains("apis/search/draft.yaml"), "a file no location names and no seed is not read")
        #expect(catalog.files.contains("services/search/openapi.yaml") && catalog.files.contains("apis/search/labels.yaml"))
        let warnings = catalog.warnings.map(\.description)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("catalog/README.yaml:1: skipped: not an entity") })
        #expect(warnings.contains { $0.hasPrefix("services/search/extras/indexer.yaml:2: kind: 'MCP' is not one of Backstage's core kinds") })
    }

    @Test func placeholderMistakesNameTheDescriptor() {
        var files = Self.repository
        files["apis/search/schema.graphql"] = nil
        files["apis/search/labels.yaml"] = "a: 1\n---\nb: 2\n"
        files["services/search/extras/settings.json"] = "{\"threads\": 4,,}"
        let found = Self.errors(files)
        #expect(found.contains { $0.hasPrefix("apis/search/search.catalog-info.yaml:14: spec.definition.$text: './schema.graphql' names") })
        #expect(
            found.contains { $0.hasPrefix("apis/search/search.catalog-info.yaml:13: metadata.labels.$yaml: './labels.yaml' must hold exactly one") })
        #expect(found.contains { $0.hasPrefix("services/search/extras/settings.json:1") }, "\(found)")
    }

    @Test func locationsOutsideTheRepositoryAndCyclesAreErrors() {
        var files = Self.repository
        files["catalog/escape.yaml"] = """
            apiVersion: backstage.io/v1alpha1
            kind: Location
            metadata: {name: escape}
            spec: {targets: [../../etc/passwd, /etc/hosts, ./loop-a.yaml, ./missing.yaml]}
            """
        files["catalog/loop-a.yaml"] =
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: loop-a}\nspec: {target: ./sub/loop-b.yaml}\n"
        files["catalog/sub/loop-b.yaml"] =
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: loop-b}\nspec: {target: ../loop-a.yaml}\n"
        #expect(
            Self.errors(files) == [
                "catalog/escape.yaml:4: spec.targets[0]: '../../etc/passwd' is outside the config repository",
                "catalog/escape.yaml:4: spec.targets[1]: '/etc/hosts' is outside the config repository",
                "catalog/escape.yaml:4: spec.targets[3]: catalog/missing.yaml does not exist",
                "catalog/sub/loop-b.yaml:4: spec.target: location cycle: catalog/loop-a.yaml → catalog/sub/loop-b.yaml → catalog/loop-a.yaml",
            ])
    }

    @Test func optionalLocationsAndURLsAreNotErrors() throws {
        let files = [
            "catalog/all.yaml": """
            apiVersion: backstage.io/v1alpha1
            kind: Location
            metadata: {name: all}
            spec: {presence: optional, targets: [./later.yaml, "https://github.com/example/repo/blob/main/catalog-info.yaml", ./none/*.yaml]}
            """
        ]
        let catalog = try Self.load(files).get()
        #expect(catalog.entities.count == 1)
        #expect(
            catalog.warnings.map(\.description) == [
                "catalog/all.yaml:4: spec.targets[1]: 'https://github.com/example/repo/blob/main/catalog-info.yaml' is not read: "
                    + "Almanac reads only the config repository's files",
                "catalog/all.yaml:4: spec.targets[2]: './none/*.yaml' matches no file",
            ])
    }

    @Test func aDescriptorFileMustHoldEntities() {
        let files = ["catalog/catalog-info.yaml": "openapi: 3.1.0\n"]
        #expect(
            Self.errors(files) == [
                "catalog/catalog-info.yaml:1: missing 'apiVersion' and 'kind': every document of a descriptor file must be an entity"
            ])
    }

    @Test(arguments: [
        ("catalog/*.yaml", "catalog/a.yaml", true), ("catalog/*.yaml", "catalog/sub/a.yaml", false),
        ("catalog/**/*.yaml", "catalog/a.yaml", true), ("catalog/**/*.yaml", "catalog/x/y/a.yaml", true),
        ("catalog/**/*.yaml", "catalog/.hidden/a.yaml", false), ("catalog/*.{yaml,yml}", "catalog/a.yml", true),
        ("svc/?/catalog-info.yaml", "svc/a/catalog-info.yaml", true), ("svc/?/catalog-info.yaml", "svc/ab/catalog-info.yaml", false),
        ("*.yaml", ".a.yaml", false),
    ])
    func globsMatchAsNodeGlob(pattern: String, path: String, matches: Bool) {
        #expect(Glob(pattern).matches(path) == matches)
    }

    @Test func globsListOnlyTheirFolder() {
        #expect(Glob("services/*/catalog-info.yaml").directory == "services")
        #expect(Glob("a/b/{c,d}/*.yaml").directory == "a/b")
        #expect(Glob("**/*.yaml").directory == "")
    }

    @Test func pathsStayInsideTheRepository() {
        #expect(RepositoryPath.resolve("./a.yaml", from: "catalog/all.yaml") == .inside("catalog/a.yaml"))
        #expect(RepositoryPath.resolve("../b/c.yaml", from: "catalog/all.yaml") == .inside("b/c.yaml"))
        #expect(RepositoryPath.resolve("../../c.yaml", from: "catalog/all.yaml") == .outside)
        #expect(RepositoryPath.resolve("/etc/passwd", from: "catalog/all.yaml") == .outside)
    }
}
