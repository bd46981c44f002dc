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
            abstract: "What each host and service cost in money and CO2e over a month, per thousand units of work, and where it is heading.")
        @Option(help: "The month (YYYY-MM); default the last 30 days.") var month: String?
        @Option(name: .customLong("what-if"), help: "A file of changes (move, retire, replica, storage) to compare with today.")
        var whatIf: String?
        @Option(help: "The repository holding the workloads' files, for their requests (default: the config repository).") var repo: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
            let (model, requests, change) = try loadOrExit { try files(knownHosts: Set(catalog.entities.values.flatMap(\.servers))) }
            let (from, to) = try window()
            let monitoring = try loadMonitoring(common)
            let logDirectory = common.data + "/series-log"
            let title = "Cost and carbon, \(ReportFormat.date(from)) to \(ReportFormat.date(to - 1))"
            try await common.withDatabase { database in
                let service = CostService {
                    let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                    return monitoring.seriesSource(store: store)
                }
                if let change {
                    let today: CostReport
                    let changed: CostReport
                    do {
                        (today, changed) = try await service.whatIf(
                            model: model, catalog: catalog, requests: requests, file: change, from: from, to: to)
                    } catch let problem as ConfigError {
                        FileHandle.standardError.write(Data("\(problem)\n".utf8))
                        throw ExitCode(1)
                    }
                    let table = WhatIf.comparison(before: today, after: changed)
                    print(try Self.render(table, title: "What if: \(whatIf ?? "")", today, changed, common.format))
                    return
                }
                let report = try await service.report(model: model, catalog: catalog, requests: requests, from: from, to: to)
                switch common.format {
                case .json: print(try JSONReport.string(report, pretty: true))
                case .markdown: print(report.markdown(title: title))
                case .html: print(report.html(title: title))
                case .text: print(report.text(title: title))
                }
            }
        }

        /// The costs file, the workloads' requests and the what-if file, or the first problem in them.
        func files(knownHosts: Set<String>) throws -> (CostModel, [String: ServiceRequest], ConfigNode?) {
            let text = try ConfigFolder.read(root: common.config, file: CostsFile.path)
            let model = try CostsFile.parse(try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: knownHosts, grid: GridFactors.table)
            let requests = try CostRequests.load(configDirectory: common.config, repository: repo ?? common.config)
            guard let whatIf else { return (model, requests, nil) }
            let file = URL(fileURLWithPath: whatIf)
            let node = try ConfigDocument.parse(
                try ConfigFolder.read(root: file.deletingLastPathComponent().path, file: file.lastPathComponent), file: whatIf)
            return (model, requests, node)
        }

        static func render(_ table: ReportTable, title: String, _ today: CostReport, _ changed: CostReport, _ format: OutputFormat) throws -> String {
            switch format {
            case .json:
                struct Comparison: Encodable {
                    var today: CostReport
                    var changed: CostReport
                }
                return try JSONReport.string(Comparison(today: today, changed: changed), pretty: true)
            case .markdown: return "# \(title)\n\n\(table.markdown())"
            case .html: return "<h1>\(HTML.escape(title))</h1>" + table.html(id: "what-if")
            case .text: return "\(title)\n\n\(table.text())"
            }
        }

        func window() throws -> (Int64, Int64) {
            guard let month else {
                let now = WallClock.system.milliseconds()
                return (now - 30 * 86_400_000, now)
            }
            guard let first = DayStamp(month + "-01") else { throw ValidationError("--month must be such as 2026-10") }
            var next = first
            while DayStamp(unixSeconds: Int64(next.day + 1) * 86_400).description.hasPrefix(month) { next = DayStamp(day: next.day + 1) }
            return (Int64(first.day) * 86_400_000, Int64(next.day + 1) * 86_400_000)
        }
    }
}
