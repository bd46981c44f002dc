import AlmanacCatalog
import AlmanacDocs
import AlmanacRuntime
import ArgumentParser
import Foundation

struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs", abstract: "The documentation in docs/: check it, or build the static site.", subcommands: [Check.self, Build.self])

    static func load(_ common: CommonOptions) throws -> Knowledge {
        try loadOrExit { try CatalogFiles.knowledge(configDirectory: common.config) }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate docs/ front matter against the catalogue.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let knowledge = try DocsCommand.load(common)
            print("ok: \(knowledge.docs.count) pages, \(knowledge.catalog.entities.count) entities")
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the documentation and catalogue as a static HTML site (relative links, search) into OUT.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The folder to write the site into.") var output: String
        @Option(help: "The site's name in its header.") var title: String = "Almanac"

        func run() throws {
            let knowledge = try DocsCommand.load(common)
            let monitored = try loadMonitoring(common).serviceNames
            let files = StaticSite.files(
                catalog: knowledge.catalog, docs: knowledge.docs, report: CatalogReport(catalog: knowledge.catalog, monitored: monitored),
                title: title)
            for (index, (path, content)) in files.sorted(by: { $0.key < $1.key }).enumerated() {
                let full = output + "/" + path
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try content.write(toFile: full, atomically: true, encoding: .utf8)
                // Long work shows progress.
                if (index + 1) % 100 == 0 || index + 1 == files.count {
                    FileHandle.standardError.write(Data("\r\(index + 1)/\(files.count) files".utf8))
                }
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("wrote \(files.count) files to \(output): \(knowledge.docs.count) pages, \(knowledge.catalog.entities.count) entities")
        }
    }
}
