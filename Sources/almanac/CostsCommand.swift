import AlmanacCatalog
import AlmanacConfig
import AlmanacCosts
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

extension Report {
    struct Costs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What each host and service cost in money and CO2e over a month, and per thousand units of work.")
        @Option(help: "The month (YYYY-MM); default the last 30 days.") var month: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
            let knownHosts = Set(catalog.entities.values.flatMap(\.servers))
            let model = try loadOrExit {
                let text = try ConfigFolder.read(root: common.config, file: CostsFile.path)
                return try CostsFile.parse(try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: knownHosts, grid: GridFactors.table)
            }
            let (from, to) = try window()
            let monitoring = try? MonitoringFiles.load(configDirectory: common.config)
            let logDirectory = common.data + "/series-log"
            let report = try await common.withDatabase { database in
                try await CostService {
                    let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                    return monitoring?.seriesSource(store: store) ?? StoredSeriesSource(store: store, steps: [])
                }.report(model: model, catalog: catalog, from: from, to: to)
            }
            let title = "Cost and carbon, \(ReportFormat.date(from)) to \(ReportFormat.date(to - 1))"
            let sources = "Energy: \(report.coefficientSource). Grid factors: \(report.gridSource)."
            switch common.format {
            case .json: print(try JSONReport.string(report, pretty: true))
            case .markdown:
                print("# \(title)\n\n## Hosts\n\n\(report.hostTable.markdown())\n\n## Services\n\n\(report.serviceTable.markdown())\n\n\(sources)")
            case .html:
                print(
                    "<h1>\(HTML.escape(title))</h1>" + report.hostTable.html(id: "hosts") + report.serviceTable.html(id: "services")
                        + "<p>\(HTML.escape(sources))</p>"
                )
            case .text: print("\(title)\n\n\(report.hostTable.text())\n\n\(report.serviceTable.text())\n\n\(sources)")
            }
        }

        func window() throws -> (Int64, Int64) {
            guard let month else {
                let now = WallClock.milliseconds()
                return (now - 30 * 86_400_000, now)
            }
            guard let first = DayStamp(month + "-01") else { throw ValidationError("--month must be such as 2026-10") }
            var next = first
            while DayStamp(unixSeconds: Int64(next.day + 1) * 86_400).description.hasPrefix(month) { next = DayStamp(day: next.day + 1) }
            return (Int64(first.day) * 86_400_000, Int64(next.day + 1) * 86_400_000)
        }
    }
}
