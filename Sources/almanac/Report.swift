import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import AlmanacTrends
import ArgumentParser
import Foundation

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports to commit to the team's documentation.", subcommands: [Trends.self, Thresholds.self, Costs.self, SLOs.self, Meeting.self])

    static func monitoring(_ common: CommonOptions) throws -> MonitoringFiles { try loadMonitoring(common) }

    struct Trends: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Growth per day, week and month of every watched series, with projected crossings, fastest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "How far back to fit, in days.") var days: Int = 90

        func run() async throws {
            let monitoring = try Report.monitoring(common)
            let report = try await common.withDatabase { database in
                var collector = monitoring.trendCollector(store: SQLSeriesStore(database: database))
                collector.lookback = Int64(days) * 86_400_000
                return try await collector.report(now: WallClock.system.milliseconds())
            }
            switch common.format {
            case .markdown: print(report.markdown(), terminator: "")
            case .html: print(report.html(), terminator: "")
            case .json: print(try JSONReport.string(["trends": report.records], pretty: true))
            case .text: print(report.text(), terminator: "")
            }
        }
    }

    struct Thresholds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every alert rule with its levels and the service it guards.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let sheet = ThresholdSheet(rules: try Report.monitoring(common).rules)
            switch common.format {
            case .markdown: print(sheet.markdown(), terminator: "")
            case .html: print(sheet.table.html(id: "thresholds"))
            case .json: print(try JSONReport.string(["thresholds": sheet.records], pretty: true))
            case .text: print(sheet.table.text(), terminator: "")
            }
        }
    }
}
