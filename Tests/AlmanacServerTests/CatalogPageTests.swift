import AlmanacTesting
import Foundation
import Testing

/// The catalogue pages over the bundled example, and a bad edit that keeps the last good catalogue.
@Suite struct CatalogPageTests {
    static var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/openfoodfacts").path
    }

    @Test func listReportWhoToCallAndABadEdit() async throws {
        let config = try TestServer.temporaryDirectory()
        for folder in ["catalog", "monitoring", "docs"] {
            try FileManager.default.copyItem(atPath: Self.example + "/" + folder, toPath: config + "/" + folder)
        }
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server async throws in
            let list = try await HTTP.send("GET", server.baseURL + "/catalog", headers: Fixture.admin).body
            #expect(list.contains("(30 services, 12 people)"))
            #expect(list.contains("<a href=\"/catalog/resource/images\">images</a>"))

            let report = try await HTTP.send("GET", server.baseURL + "/catalog/report?person=alex", headers: Fixture.admin).body
            #expect(report.contains("<h2>Technologies fewer than two people can handle <small>(4)</small></h2>"))
            #expect(report.contains("<td>zfs</td><td>alex</td><td>gabriel, sara</td><td>backups, images, proxmox-cluster</td>"))
            #expect(report.contains("<h2>If alex left <small>(1)</small></h2>"))
            #expect(report.contains("<td>sanoid, zfs</td>"))

            let images = try await HTTP.send("GET", server.baseURL + "/catalog/resource/images", headers: Fixture.admin).body
            #expect(images.contains("Tier: <strong>critical-for-us</strong>"))
            #expect(images.contains("<li>Owner: <a href=\"/catalog/group/infrastructure\">infrastructure</a></li>"))
            #expect(images.contains("<a href=\"/catalog/user/alex\">alex</a>"))
            #expect(images.contains("⚠ fewer than two"))
            #expect(images.contains("<a href=\"/catalog/component/product-opener\">product-opener</a>"), "dependants are listed")
            #expect(try await HTTP.send("GET", server.baseURL + "/catalog/component/nothing-here", headers: Fixture.admin).status == 404)
            #expect(images.contains("<a href=\"/docs/runbooks/images\">Restoring product images</a>"), "pages about it are listed")

            let doc = try await HTTP.send("GET", server.baseURL + "/docs/runbooks/images", headers: Fixture.admin).body
            #expect(doc.contains("<h1>Restoring product images</h1>") && doc.contains("<a href=\"/catalog/resource/backups\">backups</a>"))
            let search = try await HTTP.send("GET", server.baseURL + "/docs?q=zfs+snapshot", headers: Fixture.admin).body
            #expect(search.contains("<ol id=\"results\"><li><a href=\"/docs/runbooks/images\">Restoring product images</a></li></ol>"))
            #expect(try await HTTP.send("GET", server.baseURL + "/docs/nothing", headers: Fixture.admin).status == 404)

            // A dangling reference: reported, and the last good catalogue stays.
            try
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: new-thing}\nspec: {type: service, lifecycle: experimental, owner: ghosts}\n"
                .write(toFile: config + "/catalog/new.yaml", atomically: true, encoding: .utf8)
            var page = ""
            _ = try await waitFor(seconds: 5) {
                page = try await HTTP.send("GET", server.baseURL + "/catalog", headers: Fixture.admin).body
                return page.contains("reload-error")
            }
            #expect(page.contains("catalog/new.yaml:1: spec.owner: group:default/ghosts is not in the catalogue"))
            #expect(page.contains("(30 services, 12 people)"))
        }
    }
}
