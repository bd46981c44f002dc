import AlmanacJobs
import AlmanacReporting
import ArgumentParser
import Foundation

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Scheduled jobs: when their cron expressions fire.", subcommands: [Next.self])

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next fire times of a cron expression in a time zone, as Healthchecks' cronsim computes them.",
            discussion: """
                With --batch, reads one JSON object a line from standard input ({"expression", "zone", "after", "count"}) and \
                writes one a line: {"times": [Unix seconds]} or {"error": "Bad minute"}.
                """)
        @Argument(help: "A cron expression: five fields, or six with seconds first.") var expression: String?
        @Option(help: "An IANA time zone, such as Europe/Paris.") var zone = "UTC"
        @Option(help: "Unix seconds to count from; now when left out.") var after: Int64?
        @Option(help: "How many fire times.") var count = 10
        @Flag(help: "Read requests from standard input, one JSON object a line.") var batch = false
        @OptionGroup var common: CommonOptions

        struct Request: Decodable {
            var expression: String
            var zone: String
            var after: Int64
            var count: Int
        }

        func run() throws {
            if batch {
                while let line = readLine() {
                    let request = try JSONDecoder().decode(Request.self, from: Data(line.utf8))
                    print(Self.answer(request.expression, zone: request.zone, after: request.after, count: min(request.count, 10_000)))
                }
                return
            }
            guard let expression else { throw ValidationError("give an expression, or --batch") }
            let after = after ?? Int64(Date().timeIntervalSince1970)
            do {
                let times = try CronSchedule(expression, zone: try Zone(identifier: zone)).next(after: after, count: count)
                switch common.format {
                case .json: print(try JSONReport.string(["times": times]))
                default:
                    let formatter = ISO8601DateFormatter()
                    formatter.timeZone = TimeZone(identifier: zone)
                    for time in times { print(formatter.string(from: Date(timeIntervalSince1970: Double(time)))) }
                }
            } catch let error as CronError {
                throw ValidationError("\(expression): \(error)")
            }
        }

        static func answer(_ expression: String, zone: String, after: Int64, count: Int) -> String {
            do throws(CronError) {
                let times = try CronSchedule(expression, zone: try Zone(identifier: zone)).next(after: after, count: count)
                return #"{"times":[\#(times.map(String.init).joined(separator: ","))]}"#
            } catch {
                return #"{"error":"\#(error.message)"}"#
            }
        }
    }
}
