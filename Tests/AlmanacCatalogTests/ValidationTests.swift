import AlmanacConfig
import Testing

@testable import AlmanacCatalog

/// Bad catalogue input: each mistake is reported with file, line and field, and nothing loads.
@Suite struct ValidationTests {
    static let group = """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: team}
        spec: {type: team, children: []}
        """

    func errors(_ files: [String: String]) -> [String] {
        let documents = files.sorted { $0.key < $1.key }.map { CatalogLoader.Document(file: $0.key, text: $0.value) }
        switch CatalogLoader.load(documents) {
        case .success: return []
        case .failure(let failure): return failure.errors.map(\.description)
        }
    }

    static func component(_ name: String, _ extra: String = "") -> String {
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \(name)\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
            + extra
    }

    @Test(
        arguments: [
            (
                "apiVersion: gadgets\nkind: Gadget\nmetadata: {name: x}\n",
                "c.yaml:1: apiVersion: 'gadgets' is not an apiVersion of the form group/version"
            ),
            ("apiVersion: example.com/v1\nkind: 9lives\nmetadata: {name: x}\n", "c.yaml:2: kind: '9lives' is not a kind"),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: x}\nspec: {type: mcp, lifecycle: beta, owner: team}\n",
                "c.yaml:4: spec: missing 'definition', which API entities need"
            ),
            (
                "apiVersion: example.com/v1\nkind: Component\nmetadata: {name: x}\n",
                "c.yaml:1: apiVersion: 'example.com/v1' is not a Backstage apiVersion (backstage.io/v1alpha1 or backstage.io/v1beta1)"
            ),
            (
                component("Bad Name!"),
                "c.yaml:4: metadata.name: 'Bad Name!' is not a valid name: 1 to 63 letters or digits, separated by single -, _ or ."
            ),
            (
                component("double--dash"),
                "c.yaml:4: metadata.name: 'double--dash' is not a valid name: 1 to 63 letters or digits, separated by single -, _ or ."
            ),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: service, owner: team}\n",
                "c.yaml:4: spec: missing 'lifecycle', which Component entities need"
            ),
            (component("x", "  tier: vital\n"), "c.yaml:9: spec.tier: must be one of critical-for-us, critical-for-others, peripheral"),
            (component("x", "  dependsOn: [database]\n"), "c.yaml:9: spec.dependsOn[0]: 'database' must name its kind, as in resource:database"),
            (component("x", "  dependsOn: [resource:ghost]\n"), "c.yaml:1: spec.dependsOn: resource:default/ghost is not in the catalogue"),
            (component("x", "  system: nowhere\n"), "c.yaml:1: spec.system: system:default/nowhere is not in the catalogue"),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ann}\nspec:\n  memberOf: [team]\n  skills: {zfs: guru}\n",
                "c.yaml:6: spec.skills.zfs: must be learning, practised or expert"
            ),
            ("kind: [unclosed\n", "c.yaml:2: syntax error"),
            ("apiVersion: backstage.io/v1alpha1\nkind: Component\nkind: System\n", "c.yaml:2: duplicate key 'kind'"),
        ] as [(String, String)])
    func reportsMistakes(text: String, message: String) {
        let found = errors(["c.yaml": text, "team.yaml": Self.group])
        #expect(found.contains { $0.hasPrefix(message) }, "\(found)")
    }

    @Test func duplicatesNameBothPlaces() {
        let found = errors(["a.yaml": Self.component("web"), "b.yaml": "# same\n" + Self.component("web"), "team.yaml": Self.group])
        #expect(found == ["b.yaml:2: metadata.name: component:default/web is already defined at a.yaml:1"])
    }

    @Test func dependencyCyclesAreErrors() {
        let text = [
            Self.component("a", "  dependsOn: [component:b]\n"), Self.component("b", "  dependsOn: [component:c]\n"),
            Self.component("c", "  dependsOn: [component:a]\n"), Self.component("d", "  dependsOn: [component:d]\n"),
        ].joined(separator: "---\n")
        #expect(
            errors(["c.yaml": text, "team.yaml": Self.group]) == [
                "c.yaml:1: spec.dependsOn: cycle: a → b → c → a", "c.yaml:31: spec.dependsOn: cycle: d → d",
            ])
        let groups =
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: x}\nspec: {type: team, parent: y, children: []}\n---\n"
            + "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: y}\nspec: {type: team, parent: x, children: []}\n"
        #expect(errors(["g.yaml": groups]) == ["g.yaml:1: spec.parent: cycle: x → y → x"])
    }

    @Test func manyEntitiesInOneStreamWithOtherKinds() throws {
        let text = """
            apiVersion: backstage.io/v1alpha1
            kind: Location
            metadata: {name: all}
            spec: {targets: [./a.yaml]}
            ---
            apiVersion: backstage.io/v1alpha1
            kind: Domain
            metadata: {name: food, namespace: off}
            spec: {owner: group:default/team}
            ---
            apiVersion: backstage.io/v1alpha1
            kind: API
            metadata: {name: products, namespace: off, tags: [rest, v2]}
            spec: {type: openapi, lifecycle: production, owner: group:default/team, definition: {$text: ./openapi.yaml}}
            """
        let openapi = "openapi: 3.1.0\ninfo: {title: Products, version: '2'}\npaths: {}\n"
        let catalog = try CatalogLoader.load(
            [.init(file: "x.yaml", text: text), .init(file: "t.yaml", text: Self.group), .init(file: "a.yaml", text: Self.component("a"))]
                + [.init(file: "openapi.yaml", text: openapi)]
        ).get()
        #expect(catalog[EntityRef(kind: .api, namespace: "off", name: "products")]?.tags == ["rest", "v2"])
        #expect(catalog[EntityRef(kind: .api, namespace: "off", name: "products")]?.definition == openapi)
        #expect(catalog.warnings.isEmpty, "the OpenAPI file is content, not a skipped document: \(catalog.warnings)")
        #expect(catalog[EntityRef(kind: .domain, namespace: "off", name: "food")]?.owner == EntityRef(kind: .group, name: "team"))
    }

    @Test func namesFollowBackstage() {
        #expect(Names.isValidName("artist-lookup") && Names.isValidName("a.b_c-d") && Names.isValidName(String(repeating: "a", count: 63)))
        #expect(
            !Names.isValidName("") && !Names.isValidName("-a") && !Names.isValidName("a-") && !Names.isValidName(String(repeating: "a", count: 64)))
        #expect(Names.isValidNamespace("team-a") && !Names.isValidNamespace("Team") && !Names.isValidNamespace("a_b"))
        #expect(Names.isValidTag("java") && Names.isValidTag("c++") && !Names.isValidTag("Java"))
        let parsed = try? EntityRef.parse("Component:off/web", defaultKind: nil, defaultNamespace: "default").get()
        #expect(parsed == EntityRef(kind: .component, namespace: "off", name: "web"))
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:{}[],-: name spec owner dependsOn '\"&*!|>\t".utf8)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            _ = CatalogLoader.load([.init(file: "f.yaml", text: String(decoding: bytes, as: UTF8.self))])
        }
    }
}
