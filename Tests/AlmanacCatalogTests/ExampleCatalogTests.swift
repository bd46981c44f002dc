import AlmanacConfig
import Foundation
import Testing

@testable import AlmanacCatalog

/// The bundled example's catalogue has deliberate gaps; the reports must find exactly those.
@Suite struct ExampleCatalogTests {
    static func example() throws -> Catalog {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/openfoodfacts/catalog")
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let documents = try files.map {
            CatalogLoader.Document(file: "catalog/" + $0, text: try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8))
        }
        switch CatalogLoader.load(documents) {
        case .success(let catalog): return catalog
        case .failure(let errors): throw errors
        }
    }

    @Test func loadsWithItsSize() throws {
        let catalog = try Self.example()
        #expect(catalog.services.count == 30)
        #expect(catalog.all(.system).count == 3)
        #expect(catalog.people.count == 12)
        #expect(Coverage(catalog: catalog).technologies.count == 15)
    }

    @Test func findsTheThinTechnologiesAndTheCriticalServicesOnThem() throws {
        let coverage = Coverage(catalog: try Self.example())
        #expect(coverage.thin().map(\.technology) == ["elasticsearch", "sanoid", "stunnel", "zfs"])
        let zfs = try #require(coverage.thin().first { $0.technology == "zfs" })
        #expect(zfs.capable == ["alex"] && zfs.learning == ["gabriel", "sara"])
        #expect(zfs.services == ["backups", "images", "proxmox-cluster"])
        #expect(coverage.thin().first { $0.technology == "stunnel" }?.capable == [])
        let atRisk = coverage.criticalAtRisk()
        #expect(atRisk.map(\.service) == ["search", "backups", "images", "mongodb-replication-tunnel", "proxmox-cluster", "search-index"])
        #expect(atRisk.first { $0.service == "backups" }?.thin == ["zfs": 1, "sanoid": 1])
    }

    @Test func findsServicesWithoutOwnerRunbookOrMonitoring() throws {
        let risks = Risks(catalog: try Self.example())
        #expect(risks.withoutOwner == ["blog", "legacy-wiki", "legacy-ftp-export"])
        #expect(
            risks.withoutRunbook == [
                "blog", "configuration", "image-resizer", "legacy-wiki", "taxonomy-editor", "legacy-ftp-export", "metrics-warehouse",
                "mongodb-replication-tunnel",
            ])
        let unmonitored = risks.withoutMonitoring(monitored: ["product-database", "images", "almanac"])
        #expect(unmonitored.count == 27 && !unmonitored.contains("images"))
    }

    @Test func findsSinglePointsOfFailure() throws {
        let risks = Risks(catalog: try Self.example())
        #expect(risks.onOneServer.map(\.service) == ["configuration", "data-exports", "monitoring", "images", "product-database"])
        #expect(risks.onOneServer.first { $0.service == "images" }?.server == "off2")
        #expect(
            risks.peripheralChains == [
                ["data-exports", "product-opener", "legacy-ftp-export"], ["mobile-api", "product-opener", "legacy-ftp-export"],
                ["product-opener", "legacy-ftp-export"], ["search", "product-opener", "legacy-ftp-export"],
                ["web-frontend", "product-opener", "legacy-ftp-export"],
            ])
    }

    @Test func whatTheLossOfOnePersonLeavesUncovered() throws {
        let catalog = try Self.example()
        let coverage = Coverage(catalog: catalog)
        let alex = coverage.loss(of: EntityRef(kind: .user, name: "alex"))
        #expect(alex.uncovered == ["sanoid", "zfs"])
        #expect(alex.services == ["backups", "images", "proxmox-cluster"])
        #expect(coverage.loss(of: EntityRef(kind: .user, name: "yuki")).uncovered == ["elasticsearch"])
        #expect(coverage.loss(of: EntityRef(kind: .user, name: "stephane")).uncovered == [])
        let contacts = catalog.contacts(for: try #require(catalog[EntityRef(kind: .resource, name: "images")]))
        #expect(contacts.map(\.ref.name) == ["alex", "christian", "gabriel", "sara"])
    }
}
