import AlmanacCatalog
import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import ArgumentParser
import Foundation

struct OnCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall", abstract: "Who is on call, from the rotations of oncall/*.yaml.", subcommands: [Who.self, Calendar.self, Ack.self])

    static func load(_ common: CommonOptions) throws -> OnCallFiles {
        let catalog = try loadOrExit { try CatalogFiles.load(configDirectory: common.config) }
        return try loadOrExit { try OnCallFiles.load(configDirectory: common.config, catalog: catalog) }
    }

    /// `2026-12-24T10:00:00Z`, or now.
    static func moment(_ text: String?) throws -> Int64 {
        guard let text else { return WallClock.system.milliseconds() }
        guard let date = ISO8601DateFormatter().date(from: text) else { throw ValidationError("--at must be a time such as 2026-12-24T10:00:00Z") }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    struct Who: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who holds each layer of each rotation now, or --at a time.")
        @Option(help: "A moment such as 2026-12-24T10:00:00Z (default: now).") var at: String?
        @OptionGroup var common: CommonOptions

        struct Listing: Encodable {
            var at: Int64
            var onCall: [OnCallFiles.Holder]
        }

        func run() async throws {
            let files = try OnCallCommand.load(common)
            let now = try OnCallCommand.moment(at)
            let records = files.holders(at: now)
            let table = ReportTable(
                headers: ["Rotation", "Layer", "On call", "Until"],
                rows: records.map {
                    [
                        $0.rotation, $0.layer, ($0.person ?? "— " + ($0.gap ?? "")) + ($0.override ? " (override)" : ""),
                        $0.until.map { ReportFormat.moment($0) } ?? "",
                    ]
                })
            switch common.format {
            case .json: print(try JSONReport.string(Listing(at: now, onCall: records), pretty: true))
            case .markdown: print(table.markdown())
            case .html: print(table.html(id: "oncall"))
            case .text: print(table.text())
            }
        }
    }

    struct Calendar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A rotation's shifts as an iCalendar feed (RFC 5545) on standard output.")
        @Argument(help: "The rotation's name.") var rotation: String
        @Option(help: "Only this person's shifts.") var person: String?
        @Option(help: "Weeks ahead.") var weeks = 8
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let files = try OnCallCommand.load(common)
            guard let chosen = files.rotations.first(where: { $0.name == rotation }) else {
                throw ValidationError("no rotation named \(rotation) (\(files.rotations.map(\.name).joined(separator: ", ")))")
            }
            let now = WallClock.system.milliseconds()
            let shifts = chosen.shifts(from: now, to: now + Int64(weeks) * 7 * 86_400_000, available: files.available(in: chosen))
                .filter { person == nil || $0.person == person }
            print(ICalendar.feed(name: "On call: \(chosen.name)", shifts: shifts, host: "almanac", now: now), terminator: "")
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge an escalation through a running server (the id from /api/v1/escalations): nobody else is called for a while.")
        @Argument(help: "The escalation's id.") var id: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("POST", "/api/v1/escalations/\(id)/ack", nil) }
    }
}
