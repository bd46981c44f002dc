import AlmanacCatalog
import AlmanacConfig
import AlmanacRuntime
import AlmanacTesting
import Foundation
import Logging
import Testing

/// The catalogue read from a real config repository: locations may reach files outside
/// `catalog/`, and a change there reloads it; bad input keeps the last good catalogue serving.
@Suite struct CatalogFilesTests {
    static let root = """
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: root}
        spec: {targets: [./team.yaml, ../services/*/catalog-info.yaml]}
        """
    static let team = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team}\nspec: {type: team, children: []}\n"

    static func service(_ name: String, _ extra: String = "") -> String {
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: \(name)}\nspec: {type: service, lifecycle: production, owner: team\(extra)}\n"
    }

    func repository() throws -> (String, CatalogConfig) {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(
            ["catalog/all.yaml": Self.root, "catalog/team.yaml": Self.team, "services/search/catalog-info.yaml": Self.service("search")], to: root)
        return (root, try CatalogConfig(configDirectory: root, clock: .system, logger: Logger(label: "test")))
    }

    func names(_ config: CatalogConfig) -> [String] { config.current.catalog.services.map(\.ref.name) }

    @Test func aFileALocationNamesOutsideTheCatalogueFolderIsWatched() throws {
        let (root, config) = try repository()
        #expect(names(config) == ["search"])
        try TestServer.write(["services/search/catalog-info.yaml": Self.service("search-v2")], to: root)
        #expect(config.reload())
        #expect(names(config) == ["search-v2"])
        try TestServer.write(["services/images/catalog-info.yaml": Self.service("images")], to: root)
        #expect(config.reload(), "a new file where a location's glob looks is a change")
        #expect(names(config) == ["images", "search-v2"])
    }

    @Test func badInputKeepsTheLastGoodCatalogue() throws {
        let (root, config) = try repository()
        let cases: [(files: [String: String], message: String)] = [
            (
                ["catalog/all.yaml": Self.root.replacingOccurrences(of: "./team.yaml", with: "../../../etc/passwd")],
                "catalog/all.yaml:4: spec.targets[0]: '../../../etc/passwd' is outside the config repository"
            ),
            (
                ["catalog/all.yaml": Self.root.replacingOccurrences(of: "./team.yaml", with: "./all.yaml")],
                "catalog/all.yaml:4: spec.targets[0]: location cycle: catalog/all.yaml → catalog/all.yaml"
            ),
            (
                ["services/search/catalog-info.yaml": Self.service("search", ", definition: {$text: ./gone.yaml}")],
                "services/search/catalog-info.yaml:4: spec.definition.$text: './gone.yaml' names services/search/gone.yaml, which does not exist"
            ),
        ]
        for (files, message) in cases {
            try TestServer.write(files, to: root)
            #expect(!config.reload(force: true))
            #expect(config.errors.contains(message), "\(config.errors)")
            #expect(names(config) == ["search"], "the last good catalogue keeps serving")
            try TestServer.write(["catalog/all.yaml": Self.root, "services/search/catalog-info.yaml": Self.service("search")], to: root)
            #expect(config.reload(force: true))
        }
    }

    @Test func aHundredMegabyteDefinitionIsRefusedBeforeItIsRead() throws {
        let (root, config) = try repository()
        #expect(FileManager.default.createFile(atPath: root + "/services/search/huge.yaml", contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: root + "/services/search/huge.yaml"))
        try handle.truncate(atOffset: 100 * 1024 * 1024)
        try handle.close()
        try TestServer.write(["services/search/catalog-info.yaml": Self.service("search", ", definition: {$text: ./huge.yaml}")], to: root)
        #expect(!config.reload())
        #expect(
            config.errors == [
                "services/search/catalog-info.yaml:4: spec.definition.$text: './huge.yaml': services/search/huge.yaml: "
                    + "file is 104857600 bytes, more than the limit of \(ConfigDocument.maximumBytes)"
            ])
        #expect(names(config) == ["search"])
    }
}
