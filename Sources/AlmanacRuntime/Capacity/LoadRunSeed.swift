import AlmanacCapacity
import Foundation

/// Load-test runs a config repository carries in `capacity/runs/*.json` (the bundled example's
/// run against its local host, as `GET /api/v1/loadruns/ID` gave it), stored once into an empty
/// run store and moved so that the newest started an hour before the import: `/capacity` has a
/// run with its latency and CPU per request on the first start, as the series history gives
/// the trends theirs.
public struct LoadRunSeed: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String { "\(file): not a stored load-test run: \(reason)" }
    }

    let configDirectory: String
    let service: LoadTestService
    let clock: WallClock

    public init(configDirectory: String, service: LoadTestService, clock: WallClock) {
        self.configDirectory = configDirectory
        self.service = service
        self.clock = clock
    }

    /// Stores the files' runs when no run is stored yet; returns how many. A file that is not a
    /// run stops the import before anything is stored.
    @discardableResult
    public func importIfEmpty() async throws -> Int {
        let files = ConfigFolder(root: configDirectory, folder: "capacity/runs", suffixes: [".json"]).files()
        guard !files.isEmpty, try await service.runs(limit: 1).isEmpty else { return 0 }
        var runs: [LoadRun] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: configDirectory + "/" + file) else {
                throw Failure(file: file, reason: "cannot be read")
            }
            do { runs.append(try LoadTestService.record(data)) } catch { throw Failure(file: file, reason: "\(error)") }
        }
        let shift = clock.milliseconds() - 3_600_000 - (runs.map(\.startedAt).max() ?? 0)
        for var run in runs.sorted(by: { $0.startedAt < $1.startedAt }) {
            run.startedAt += shift
            _ = try await service.save(run)
        }
        return runs.count
    }
}
