import AlmanacAlerts
import AlmanacCapacity
import AlmanacConfig
import AlmanacMetrics
import Foundation

/// Requests and limits for each workload of `capacity/resources.yaml`, from the usage series
/// the monitoring engine keeps, and the patch that writes them into the team's files.
public struct RecommendService: Sendable {
    public struct Result: Codable, Sendable {
        public var workload: String
        public var service: String
        public var recommendation: Recommender.Recommendation
        public var cpuSamples: Int
        public var memorySamples: Int
        public var file: String?
        public var cpuSeries: [String]
        public var memorySeries: [String]
    }

    public enum Problem: Error, Sendable, CustomStringConvertible {
        case file(String)
        case noUsage(String)
        public var description: String {
            switch self {
            case .file(let text), .noUsage(let text): text
            }
        }
    }

    static let oomNames = ["container_oom_events_total"]
    let source: @Sendable () async throws -> any SeriesSource

    public init(source: @escaping @Sendable () async throws -> any SeriesSource) { self.source = source }

    public func recommend(_ workloads: [Workload], parameters: Recommender.Parameters, now: Int64) async throws -> [Result] {
        let source = try await source()
        let from = now - parameters.memoryWindow * Int64(parameters.memoryWindows)
        let usage = LoadUsage(settleSeconds: 0) { source }
        var results: [Result] = []
        for workload in workloads {
            let cpu = try await usage.select(source, names: LoadUsage.cpuNames.map { ($0, "") }, matchers: workload.usage, from: from, to: now)
            let memory = try await usage.select(source, names: LoadUsage.memoryNames, matchers: workload.usage, from: from, to: now)
            let ooms = try await usage.select(source, names: Self.oomNames.map { ($0, "") }, matchers: workload.usage, from: from, to: now)
            let history = Recommender.History(
                cpu: Self.cores(cpu), memory: memory.flatMap { $0.samples.map { ($0.timestamp, $0.value) } }, ooms: Self.kills(ooms, memory: memory))
            guard !history.cpu.isEmpty || !history.memory.isEmpty else {
                throw Problem.noUsage(
                    "\(ResourcesFile.path):\(workload.line): no CPU or memory series match \(workload.usage) in the last \(DurationText.span(now - from))"
                )
            }
            results.append(
                Result(
                    workload: workload.name, service: workload.service, recommendation: Recommender(parameters).recommend(history, now: now),
                    cpuSamples: history.cpu.count, memorySamples: history.memory.count, file: workload.file, cpuSeries: cpu.map(LoadUsage.describe),
                    memorySeries: memory.map(LoadUsage.describe)))
        }
        return results
    }

    /// CPU in cores between consecutive samples of each counter; the modes of one process
    /// (user, system) are added up, while separate processes or containers stay separate
    /// samples, as VPA aggregates a container's replicas.
    static func cores(_ series: [SeriesData]) -> [(time: Int64, cores: Double)] {
        var byOwner: [[Label]: [Int64: Double]] = [:]
        for one in series {
            let owner = one.labels.filter { $0.name != "mode" && $0.name != "cpu" }
            for (a, b) in zip(one.samples, one.samples.dropFirst()) where b.timestamp > a.timestamp && b.value >= a.value {
                byOwner[owner, default: [:]][b.timestamp, default: 0] += (b.value - a.value) / (Double(b.timestamp - a.timestamp) / 1000)
            }
        }
        return byOwner.values.flatMap { $0.map { (time: $0.key, cores: $0.value) } }.sorted { $0.time < $1.time }
    }

    /// Each OOM counter increment, with the memory last seen before it.
    static func kills(_ series: [SeriesData], memory: [SeriesData]) -> [(time: Int64, bytes: Double)] {
        let samples = memory.flatMap(\.samples).sorted { $0.timestamp < $1.timestamp }
        var out: [(time: Int64, bytes: Double)] = []
        for one in series {
            for (a, b) in zip(one.samples, one.samples.dropFirst()) where b.value > a.value {
                let before = samples.last { $0.timestamp <= b.timestamp }?.value ?? 0
                for _ in 0..<Int(b.value - a.value) { out.append((b.timestamp, before)) }
            }
        }
        return out
    }

    /// One unified diff for every workload with a file, paths relative to `repository`.
    public func patch(_ results: [Result], workloads: [Workload], repository: String) throws(Problem) -> String {
        var edited: [String: String] = [:]
        var originals: [String: String] = [:]
        for result in results {
            guard let workload = workloads.first(where: { $0.name == result.workload }), let file = workload.file, let kind = workload.kind else {
                continue
            }
            let path = repository + "/" + file
            if originals[file] == nil {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw .file("\(ResourcesFile.path):\(workload.line): cannot read \(file) in \(repository)")
                }
                originals[file] = text
            }
            do {
                edited[file] = try ResourcePatch.apply(
                    .init(result.recommendation), to: edited[file] ?? originals[file]!, kind: kind, name: workload.container)
            } catch { throw .file("\(ResourcesFile.path):\(workload.line): \(file): \(error)") }
        }
        return edited.keys.sorted().map { LineDiff.unified(old: originals[$0]!, new: edited[$0]!, path: $0) }.joined()
    }
}
