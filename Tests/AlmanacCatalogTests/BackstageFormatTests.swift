import Testing

@testable import AlmanacCatalog

/// A catalogue written with every field Backstage's descriptor format documents (profiles,
/// annotations, labels, links with icons, `$text` definitions, Locations, namespaces, group
/// hierarchies, dependencyOf): Almanac reads what it needs and leaves the rest alone.
@Suite struct BackstageFormatTests {
    static let files: [String: String] = [
        "all.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata:
          name: example-all
          description: Every file of the example.
        spec:
          targets:
            - ./org.yaml
            - ./systems.yaml
        """,
        "org.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: acme
          annotations: {backstage.io/source-location: "url:https://git.example.org/org"}
        spec:
          type: organization
          profile: {displayName: ACME, email: info@example.org, picture: https://example.org/logo.png}
          children: [platform]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: platform, labels: {cost-centre: "42"}}
        spec:
          type: team
          parent: acme
          children: []
          members: [jo]
        ---
        apiVersion: backstage.io/v1beta1
        kind: User
        metadata: {name: jo}
        spec:
          profile: {displayName: Jo Doe, email: jo@example.org}
          memberOf: [platform]
        """,
        "storefront-api.yaml": """
        openapi: 3.0.3
        info: {title: Storefront, version: 1.0.0}
        paths:
          /products: {get: {responses: {"200": {description: the products}}}}
        """,
        "systems.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Domain
        metadata: {name: catalogue, namespace: shop}
        spec: {owner: group:default/platform}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: System
        metadata: {name: storefront, namespace: shop, tags: [web, java]}
        spec: {owner: group:default/platform, domain: catalogue}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: storefront-web
          namespace: shop
          title: Storefront
          links:
            - {url: https://dashboard.example.org, title: Dashboard, icon: dashboard}
          annotations: {github.com/project-slug: example/storefront}
        spec:
          type: website
          lifecycle: production
          owner: group:default/platform
          system: storefront
          providesApis: [storefront-api]
          consumesApis: [api:shop/pricing-api]
          dependsOn: [resource:shop/orders-db]
          dependencyOf: [component:shop/checkout]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: storefront-api, namespace: shop}
        spec:
          type: openapi
          lifecycle: production
          owner: group:default/platform
          system: storefront
          definition:
            $text: ./storefront-api.yaml
        ---
        apiVersion: backstage.io/v1alpha1
        kind: API
        metadata: {name: pricing-api, namespace: shop}
        spec:
          type: grpc
          lifecycle: experimental
          owner: user:default/jo
          definition: |
            syntax = "proto3";
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata: {name: orders-db, namespace: shop}
        spec: {type: database, owner: group:default/platform, system: storefront}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: checkout, namespace: shop}
        spec: {type: service, lifecycle: production, owner: group:default/platform, subcomponentOf: storefront-web}
        """,
    ]

    @Test func loadsWithoutChanges() throws {
        let documents = Self.files.sorted { $0.key < $1.key }.map { CatalogLoader.Document(file: "catalog/" + $0.key, text: $0.value) }
        let catalog = try CatalogLoader.load(documents).get()
        #expect(catalog.entities.count == 11)
        let web = try #require(catalog[EntityRef(kind: .component, namespace: "shop", name: "storefront-web")])
        #expect(web.providesApis == [EntityRef(kind: .api, namespace: "shop", name: "storefront-api")])
        #expect(web.dependsOn == [EntityRef(kind: .resource, namespace: "shop", name: "orders-db")])
        #expect(web.links.first?.title == "Dashboard")
        #expect(web.annotations["github.com/project-slug"] == "example/storefront")
        let api = try #require(catalog[EntityRef(kind: .api, namespace: "shop", name: "storefront-api")])
        #expect(api.definition?.hasPrefix("openapi: 3.0.3\n") == true)
        #expect(catalog.warnings.isEmpty, "\(catalog.warnings)")
        #expect(catalog.contacts(for: web).map(\.ref.name) == ["jo"])
        #expect(catalog.members(of: EntityRef(kind: .group, name: "acme")).map(\.ref.name) == ["jo"], "members of sub-groups count")
        #expect(catalog.dependants(of: web.ref).map(\.ref.name) == ["checkout"])
    }
}
