import AlmanacCatalog
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "The service catalogue: check it, report its gaps, estimate the truck factor.",
        subcommands: [Check.self, Report.self, Truck.self])

    /// Loads the catalogue or fails with every error, one per line.
    static func load(_ common: CommonOptions) throws -> Catalog {
        try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate catalog/; report every error as file:line: field: message.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let catalog = try CatalogCommand.load(common)
            let counts = Set(catalog.entities.keys.map(\.kind)).sorted().map { ($0, catalog.all($0).count) }
            let warnings = catalog.warnings.map(\.description)
            switch common.format {
            case .json:
                let kinds = counts.map { JSONValue.object(["kind": .string($0.0.rawValue), "count": .int(Int64($0.1))]) }
                print(JSONWriter.string(.object(["kinds": .array(kinds), "warnings": .array(warnings.map(JSONValue.string))])))
            default:
                // Plugin kinds and skipped documents are not mistakes: shown, but the check passes.
                for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                print("ok: " + counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", "))
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Skills matrix, thin technologies, services at risk, single points of failure; --person for one departure.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Spell out what this person's departure would leave uncovered.") var person: String?

        func run() async throws {
            let catalog = try CatalogCommand.load(common)
            let monitored = try loadMonitoring(common).serviceNames
            var absent: EntityRef?
            if let person {
                guard let user = catalog.people.first(where: { $0.ref.name == person }) else {
                    throw ValidationError("no person named \(person) in the catalogue")
                }
                absent = user.ref
            }
            // Roles with one host, with the outage the last rollouts measured (kept in --data).
            var roles: [CatalogReport.SingleHostRole] = []
            if let pipeline = try loadOrExit({ try PipelineFiles.load(configDirectory: common.config) }) {
                roles = try await common.withDatabase { try await PipelineService.singleHostRoles(pipeline, store: SQLReleaseStore(database: $0)) }
            }
            let report = CatalogReport(catalog: catalog, monitored: monitored, absent: absent, singleHostRoles: roles)
            switch common.format {
            case .markdown: print(report.markdown(), terminator: "")
            case .json: print(try JSONReport.string(report.records, pretty: true))
            case .text, .html: print(report.text(), terminator: "")
            }
        }
    }

    struct Truck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "truck-factor", abstract: "How many people must leave before most files have no author (Avelino et al., 2016).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "A git repository (default: --config).") var repository: String?

        func run() async throws {
            let history = try await GitHistory.commits(repository: repository ?? common.config)
            let truckFactor = TruckFactor(commits: history)
            let (factor, removed) = truckFactor.estimate()
            switch common.format {
            case .json:
                print(
                    JSONWriter.string([
                        "truck_factor": .int(Int64(factor)), "removed": .array(removed.map(JSONValue.string)),
                        "files": .int(Int64(truckFactor.files.count)),
                    ]))
            case .markdown:
                print("Truck factor: **\(factor)** (\(truckFactor.files.count) files; leaving first: \(removed.joined(separator: ", ")))")
            case .text, .html:
                print("truck factor \(factor): \(removed.joined(separator: ", ")) (\(truckFactor.files.count) files)")
            }
        }
    }
}
