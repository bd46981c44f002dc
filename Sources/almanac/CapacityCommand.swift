import AlmanacCapacity
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation

struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity", abstract: "Requests and limits from observed usage.", subcommands: [Recommend.self])

    struct Recommend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recommend requests and limits per workload of capacity/resources.yaml (the VPA recommender's method).",
            discussion: "With --patch, writes a unified diff of the workloads' Kubernetes, Compose and systemd files (apply it with git apply).")
        @Option(help: "The repository holding the workloads' files (default: the config repository).") var repo: String?
        @Option(help: "Write the patch to this file ('-' for standard output).") var patch: String?
        @Option(
            help: ArgumentHelp(Self.forTrafficHelp)
        )
        var forTraffic: String?
        static let forTrafficHelp =
            "Size for the forecast traffic peak on this day (YYYY-MM-DD), from each workload's 'traffic' counter and its service's last load test."
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (parameters, workloads) = try loadOrExit {
                let text = try ConfigFolder.read(root: common.config, file: ResourcesFile.path)
                return try ResourcesFile.parse(try ConfigDocument.parse(text, file: ResourcesFile.path))
            }
            var at: Int64?
            if let forTraffic {
                guard let day = DayStamp(forTraffic) else { throw ValidationError("--for-traffic must be a day such as 2027-06-01") }
                at = Int64(day.day) * 86_400_000 + 43_200_000
            }
            let logDirectory = common.data + "/series-log"
            let monitoring = try loadMonitoring(common)
            let (results, diff) = try await common.withDatabase { database in
                let service = RecommendService(runs: LoadRunStore(database: database)) {
                    let store = try await SQLSeriesStore.snapshot(database: database, logDirectory: logDirectory)
                    return monitoring.seriesSource(store: store)
                }
                let results = try await loadOrExitAsync {
                    try await service.recommend(workloads, parameters: parameters, now: WallClock.system.milliseconds(), forTraffic: at)
                }
                let diff = patch == nil ? "" : try loadOrExit { try service.patch(results, workloads: workloads, repository: repo ?? common.config) }
                return (results, diff)
            }
            switch common.format {
            case .json: print(try JSONReport.string(["workloads": results], pretty: true))
            case .markdown: print(Self.table(results).markdown() + (at == nil ? "" : "\n" + Self.traffic(results).markdown()))
            default: print(Self.table(results).text() + (at == nil ? "" : "\n" + Self.traffic(results).text()))
            }
            if let patch {
                if patch == "-" { print(diff, terminator: "") } else { try diff.write(toFile: patch, atomically: true, encoding: .utf8) }
            }
        }

        static func traffic(_ results: [RecommendService.Result]) -> ReportTable {
            func range(_ r: TrafficSizing.Range, _ show: (Double) -> String) -> String { "\(show(r.likely)) (\(show(r.low)) to \(show(r.high)))" }
            return ReportTable(
                headers: ["Workload", "Peak requests/s", "CPU", "Memory", "Priced by run"],
                rows: results.map { result in
                    guard let t = result.forTraffic else { return [result.workload, result.forTrafficMissing ?? "", "", "", ""] }
                    return [
                        result.workload, range(t.peakRate) { ReportFormat.number($0) }, range(t.cpuCores) { "\(Int(($0 * 1000).rounded(.up)))m" },
                        range(t.memoryBytes) { "\(Int(($0 / 1_048_576).rounded(.up)))Mi" },
                        "\(t.costRun) (\(ReportFormat.number(t.cpuMillisecondsPerRequest)) ms CPU a request)",
                    ]
                })
        }

        static func table(_ results: [RecommendService.Result]) -> ReportTable {
            func cores(_ v: Double) -> String { v.isFinite ? "\(Int((v * 1000).rounded(.up)))m" : "unbounded" }
            func bytes(_ v: Double) -> String { v.isFinite ? "\(Int((v / 1_048_576).rounded(.up)))Mi" : "unbounded" }
            return ReportTable(
                headers: ["Workload", "Service", "CPU request", "CPU limit", "Memory request", "Memory limit", "History (days)", "OOM kills"],
                rows: results.map {
                    let r = $0.recommendation
                    return [
                        $0.workload, $0.service, cores(r.cpu.target), cores(r.cpu.upper), bytes(r.memory.target), bytes(r.memory.upper),
                        ReportFormat.number(r.confidenceDays), String(r.ooms),
                    ]
                })
        }
    }
}

/// `loadOrExit` for async work: a typed problem is printed and the command exits 1.
func loadOrExitAsync<T>(_ load: () async throws -> T) async throws -> T {
    do { return try await load() } catch let problem as RecommendService.Problem {
        FileHandle.standardError.write(Data("\(problem)\n".utf8))
        throw ExitCode(1)
    }
}
