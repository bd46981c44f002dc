import AlmanacCapacity
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load tests from capacity/loadtests/: run one, or find the highest rate it sustains.",
        subcommands: [Run.self, Saturate.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a load test: live progress on standard error, the run stored, exit 1 when a threshold fails.")
        @Argument(help: "The load test's name.") var name: String
        @Option(help: "Override the open model's rate (requests/s).") var rate: Double?
        @Option(help: "Override the duration (such as 30s).") var duration: String?
        @Flag(help: "Stop the test as soon as one of the service's alerts fires.") var abortOnAlert = false
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (test, plan) = try LoadCommand.plan(name, config: common.config)
            let model = try LoadModelOverride(rate: rate, duration: duration).apply(test.model)
            let (id, run) = try await common.withDatabase { database in
                try await LoadCommand.service(database, common: common).run(
                    test, plan: plan, model: model, abortOnAlert: abortOnAlert, progress: LoadProgress.line)
            }
            try LoadCommand.show(run, id: id, format: common.format)
            if !run.passed { throw ExitCode(1) }
        }
    }

    struct Saturate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Step the open-model rate until a threshold fails; report the highest sustainable rate and the latency curve.")
        @Argument(help: "The load test's name.") var name: String
        @Flag(help: "Stop as soon as one of the service's alerts fires.") var abortOnAlert = false
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (test, plan) = try LoadCommand.plan(name, config: common.config)
            let (id, run) = try await common.withDatabase { database in
                try await LoadCommand.service(database, common: common).saturate(test, plan: plan, abortOnAlert: abortOnAlert) { step in
                    let verdict = step.passed ? "holds" : "fails: " + step.failed.joined(separator: "; ")
                    let line = String(
                        format: "%8.0f req/s asked, %8.0f answered, p50 %.2f ms, p99 %.2f ms: ", step.rate, step.achieved, step.p50, step.p99)
                    FileHandle.standardError.write(Data((line + verdict + "\n").utf8))
                }
            }
            try LoadCommand.show(run, id: id, format: common.format)
            if run.sustainableRate == nil || run.aborted != nil { throw ExitCode(1) }
        }
    }

    static func plan(_ name: String, config: String) throws -> (LoadTest, RequestPlan) {
        let files = try loadOrExit { try LoadTestFiles.load(config) }
        return try loadOrExit { try files.plan(name) }
    }

    static func service(_ database: Database, common: CommonOptions) throws -> LoadTestService {
        let monitoring = try loadMonitoring(common)
        let logDirectory = common.data + "/series-log"
        return LoadTestService(
            database: database,
            usage: LoadUsage(settle: (30, .system)) {
                let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                return monitoring.seriesSource(store: store)
            }, clock: .system)
    }

    static func show(_ run: LoadRun, id: Int64, format: OutputFormat) throws {
        switch format {
        case .json: print(try JSONReport.string(run, pretty: true))
        case .markdown: print(LoadReport.text(run, markdown: true), terminator: "")
        default: print(LoadReport.text(run, markdown: false), terminator: "")
        }
        FileHandle.standardError.write(Data("stored as run \(id)\n".utf8))
    }
}

/// Command-line overrides of a test's pace, for trying a rate without editing the file.
struct LoadModelOverride {
    var rate: Double?
    var duration: String?

    func apply(_ model: LoadTest.Model) throws -> LoadTest.Model {
        var seconds: Double?
        if let duration {
            guard let ms = DurationText.milliseconds(duration), ms > 0 else { throw ValidationError("--duration must be such as 30s or 2m") }
            seconds = Double(ms) / 1000
        }
        switch model {
        case .open(let stages, let connections):
            let total = seconds ?? stages.reduce(0) { $0 + $1.seconds }
            if let rate { return .open(stages: [.init(from: rate, to: rate, seconds: total)], connections: connections) }
            guard seconds != nil else { return model }
            let scale = total / stages.reduce(0) { $0 + $1.seconds }
            return .open(stages: stages.map { .init(from: $0.from, to: $0.to, seconds: $0.seconds * scale) }, connections: connections)
        case .closed(let connections, let old):
            if rate != nil { throw ValidationError("--rate applies to open-model tests; this one is closed (fixed connections)") }
            return .closed(connections: connections, seconds: seconds ?? old)
        }
    }
}

/// One line a second while a test runs.
enum LoadProgress {
    @Sendable static func line(_ interval: LoadInterval) {
        let text = String(
            format: "%4ds  %8d req/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  errors %d\n", interval.second, interval.completed, interval.p50,
            interval.p99, interval.max, interval.errors)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
