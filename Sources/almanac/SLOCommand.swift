import AlmanacCatalog
import AlmanacReporting
import AlmanacRuntime
import AlmanacSLO
import AlmanacStorage
import ArgumentParser
import Foundation

extension Report {
    struct SLOs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slos", abstract: "Every SLO's budget left, burn rates, the alert that holds and when the budget runs out.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
            let slos = try loadOrExit { try SLOService.load(configDirectory: common.config, catalog: catalog) }
            let windows = try loadOrExit { try SLOService.loadMaintenance(configDirectory: common.config) }
            let monitoring = try loadMonitoring(common)
            let logDirectory = common.data + "/series-log"
            try await common.withDatabase { database in
                let service = SLOService(slos: { slos }, windows: { windows }, clock: .system) {
                    let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                    return monitoring.seriesSource(store: store)
                }
                let now = WallClock.system.milliseconds()
                let records = try await service.statuses(now: now).map { SLORecord($0.slo, $0.evaluation, problem: $0.problem) }
                let table = SLOReport.table(records)
                let title = "Service levels, \(ReportFormat.moment(now, seconds: false))"
                switch common.format {
                case .json: print(try JSONReport.string(SLOList(evaluatedAt: now, slos: records), pretty: true))
                case .markdown: print("# \(title)\n\n\(table.markdown())")
                case .html: print("<h1>\(HTML.escape(title))</h1>" + table.html(id: "slos"))
                case .text: print("\(title)\n\n\(table.text())")
                }
            }
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The public status page: services with a public SLO, their state and 90 days of availability.",
        subcommands: [Build.self])

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the status page as a static site (OUT/index.html) to host anywhere, so it stays up when Almanac is down.")
        @Argument(help: "The folder to write the site into.") var out: String
        @Option(help: "The page's title.") var title = "Service status"
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
            let slos = try loadOrExit { try SLOService.load(configDirectory: common.config, catalog: catalog) }
            let windows = try loadOrExit { try SLOService.loadMaintenance(configDirectory: common.config) }
            let monitoring = try loadMonitoring(common)
            let logDirectory = common.data + "/series-log"
            let html = try await common.withDatabase { database in
                try await SLOService(slos: { slos }, windows: { windows }, clock: .system) {
                    let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                    return monitoring.seriesSource(store: store)
                }.statusPage(title: title, incidents: try await IncidentService(database: database, clock: .system).statusNotes())
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try html.write(toFile: out + "/index.html", atomically: true, encoding: .utf8)
            print("wrote \(out)/index.html (\(slos.filter(\.isPublic).count) public SLOs)")
        }
    }
}
