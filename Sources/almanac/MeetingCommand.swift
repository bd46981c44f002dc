import AlmanacCatalog
import AlmanacConfig
import AlmanacFlags
import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

extension Report {
    struct Meeting: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The monthly infrastructure meeting, prepared: crossings ahead, thresholds nearly reached, worsening trends, incidents, "
                + "skills gaps on critical services, stale flags; optionally one issue per item in the team's tracker (meeting.yaml).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The meeting's month, YYYY-MM (default: this month).") var month: String?
        @ArgumentParser.Flag(help: "File (or update) one issue per item in the tracker meeting.yaml names.") var fileIssues = false

        func run() async throws {
            let now = WallClock.system.milliseconds()
            let month = self.month ?? String(ReportFormat.date(now).prefix(7))
            guard month.count == 7, month.dropFirst(4).first == "-", Int(month.prefix(4)) != nil, Int(month.suffix(2)) != nil else {
                throw ValidationError("--month must be YYYY-MM")
            }
            let monitoring = try loadMonitoring(common)
            let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
            let flags = try Flags.load(common.config, environment: nil)
            let tracker = try loadOrExit { try IssueTracker.Settings.load(configDirectory: common.config) }
            let items = try await common.withDatabase { database in
                try await MeetingItems.gather(
                    database: database, trends: monitoring.trendCollector(store: SQLSeriesStore(database: database)), catalog: catalog, flags: flags,
                    clock: .system)
            }
            let agenda = MeetingAgenda(month: month, items: items)
            switch common.format {
            case .json: print(try JSONReport.string(Listing(month: month, items: items), pretty: true))
            case .markdown, .text: print(agenda.markdown(), terminator: "")
            case .html:
                let table = ReportTable(headers: ["Section", "Item", "Detail"], rows: items.map { [$0.section.rawValue, $0.title, $0.detail] })
                print(table.html(id: "meeting"))
            }
            guard fileIssues else { return }
            guard let tracker else { throw ValidationError("--file-issues needs meeting.yaml with tracker: {api: ..., token_env: ...}") }
            let filed = try await IssueTracker(settings: tracker, environment: ProcessInfo.processInfo.environment).file(items, month: month)
            FileHandle.standardError.write(Data("filed in \(tracker.api): \(filed.opened) opened, \(filed.updated) updated\n".utf8))
        }

        struct Listing: Encodable {
            var month: String
            var items: [MeetingItem]
        }
    }
}
