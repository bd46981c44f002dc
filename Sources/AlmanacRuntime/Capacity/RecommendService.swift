import AlmanacAlerts
import AlmanacCapacity
import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import AlmanacStorage
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
        /// With `--for-traffic`: what the forecast's peak needs.
        public var forTraffic: TrafficSizing?
        /// Why there is no sizing for traffic when one was asked for.
        public var forTrafficMissing: String?
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
    let runs: LoadRunStore?

    public init(runs: LoadRunStore? = nil, source: @escaping @Sendable () async throws -> any SeriesSource) {
        self.source = source
        self.runs = runs
    }

    /// With `forTraffic`, each workload with a `traffic` counter is also sized for the forecast
    /// peak at that date, from its service's latest load test run with a cost per request.
    public func recommend(_ workloads: [Workload], parameters: Recommender.Parameters, now: Int64, forTraffic: Int64? = nil) async throws -> [Result]
    {
        let source = try await source()
        let from = now - parameters.memoryWindow * Int64(parameters.memoryWindows)
        let usage = LoadUsage { source }
        var results: [Result] = []
        for workload in workloads {
            let matchers = try workload.usage.map { try Selector($0) } ?? Selector(name: nil, matchers: [.equal("service", workload.service)])
            let cpu = try await usage.select(source, names: LoadUsage.cpuNames, matching: matchers, from: from, to: now)
            let memory = try await usage.select(source, names: LoadUsage.memoryNames, matching: matchers, from: from, to: now)
            let ooms = try await usage.select(source, names: Self.oomNames.map { ($0, []) }, matching: matchers, from: from, to: now)
            let history = Recommender.History(
                cpu: Self.cores(cpu), memory: memory.flatMap { $0.samples.map { ($0.timestamp, $0.value) } }, ooms: Self.kills(ooms, memory: memory))
            guard !history.cpu.isEmpty || !history.memory.isEmpty else {
                let span = DurationText.span(now - from)
                throw Problem.noUsage("\(ResourcesFile.path):\(workload.line): no CPU or memory series match \(matchers) in the last \(span)")
            }
            var result = Result(
                workload: workload.name, service: workload.service, recommendation: Recommender(parameters).recommend(history, now: now),
                cpuSamples: history.cpu.count, memorySamples: history.memory.count, file: workload.file, cpuSeries: cpu.map(LoadUsage.describe),
                memorySeries: memory.map(LoadUsage.describe))
            if let at = forTraffic {
                do throws(Problem) {
                    result.forTraffic = try await size(
                        workload, recommendation: result.recommendation, margin: parameters.margin, source: source, now: now, at: at)
                } catch { result.forTrafficMissing = error.description }
            }
            results.append(result)
        }
        return results
    }

    /// CPU in cores between consecutive samples of each counter (a reset counted from zero, as
    /// `CounterMath` counts it everywhere); the modes of one process
    /// (user, system) are added up, while separate processes or containers stay separate
    /// samples, as VPA aggregates a container's replicas.
    static func cores(_ series: [SeriesData]) -> [(time: Int64, cores: Double)] {
        var byOwner: [[Label]: [Int64: Double]] = [:]
        for one in series {
            let owner = one.labels.filter { $0.name != "mode" && $0.name != "cpu" }
            for (a, b) in zip(one.samples, one.samples.dropFirst()) where b.timestamp > a.timestamp {
                let cores = CounterMath.rise(from: a.value, to: b.value) / (Double(b.timestamp - a.timestamp) / 1000)
                byOwner[owner, default: [:]][b.timestamp, default: 0] += cores
            }
        }
        return byOwner.values.flatMap { $0.map { (time: $0.key, cores: $0.value) } }.sorted { $0.time < $1.time }
    }

    /// Each OOM counter increment, with the memory last seen before it.
    static func kills(_ series: [SeriesData], memory: [SeriesData]) -> [(time: Int64, bytes: Double)] {
        let samples = memory.flatMap(\.samples).sorted { $0.timestamp < $1.timestamp }
        var out: [(time: Int64, bytes: Double)] = []
        for one in series {
            for (a, b) in zip(one.samples, one.samples.dropFirst()) where CounterMath.rise(from: a.value, to: b.value) > 0 {
                let before = samples.last { $0.timestamp <= b.timestamp }?.value ?? 0
                for _ in 0..<Int(CounterMath.rise(from: a.value, to: b.value)) { out.append((b.timestamp, before)) }
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

    /// The forecast peak of the workload's traffic counter at `at`, priced by its service's
    /// latest load test run that measured a cost per request.
    func size(
        _ workload: Workload, recommendation: Recommender.Recommendation, margin: Double, source: any SeriesSource, now: Int64, at: Int64
    )
        async throws(Problem) -> TrafficSizing
    {
        let place = "\(ResourcesFile.path):\(workload.line)"
        guard let traffic = workload.traffic else { throw .noUsage("\(place): no 'traffic' counter to forecast") }
        guard let runs else { throw .noUsage("\(place): no load test runs to price a request") }
        let found: [LoadRunStore.Row]
        do { found = try await runs.runs(limit: 500) } catch { throw .noUsage("\(place): cannot read load test runs: \(error)") }
        // The newest run of the service that measured a cost per request; a run that no longer
        // decodes is passed over for an older one.
        let priced = found.lazy.filter { $0.service == workload.service }.compactMap { row in
            (try? LoadTestService.decode(row)).flatMap { run in run.usage?.cpuMillisecondsPerRequest.map { (row, run, $0) } }
        }.first
        guard let (row, run, cpu) = priced else {
            throw .noUsage("\(place): no load test run of \(workload.service) measured a cost per request (give the test a 'usage' selector)")
        }
        let peaks: [Sample]
        do { peaks = try await Self.dailyPeaks(try Selector(traffic), source: source, now: now) } catch {
            throw .noUsage("\(place): traffic: \(error)")
        }
        guard let forecast = Forecaster.fit(peaks, now: now) else {
            throw .noUsage("\(place): too little traffic history to forecast (\(peaks.count) daily peaks of \(traffic))")
        }
        let peak = forecast.value(at: at)
        return TrafficSizing(
            at: at, peakRate: .init(low: peak.low, likely: peak.likely, high: peak.high), cpuMillisecondsPerRequest: cpu,
            memoryPerConcurrentRequest: run.usage?.memoryPerConcurrentRequestBytes, meanServiceMilliseconds: run.summary.service.mean,
            baseMemory: recommendation.memory.target, margin: margin, costRun: row.id)
    }

    /// Requests per second of the busiest hour of each day, from the counters the selector picks
    /// (summed), over the last 60 days: peaks, not averages, are what capacity must hold.
    static func dailyPeaks(_ selector: Selector, source: any SeriesSource, now: Int64) async throws -> [Sample] {
        let hour: Int64 = 3_600_000
        var increases: [Int64: Double] = [:]
        for series in try await source.select(selector, from: now - 60 * 86_400_000, to: now) {
            for (a, b) in zip(series.samples, series.samples.dropFirst()) where b.timestamp > a.timestamp {
                // An increase spanning hours is shared between them by time.
                let increase = CounterMath.rise(from: a.value, to: b.value)
                var start = a.timestamp
                while start < b.timestamp {
                    let end = min(b.timestamp, (start / hour + 1) * hour)
                    increases[start / hour, default: 0] += increase * Double(end - start) / Double(b.timestamp - a.timestamp)
                    start = end
                }
            }
        }
        var peaks: [Int64: Sample] = [:]
        for (hourIndex, increase) in increases where (hourIndex + 1) * hour <= now {
            let rate = increase / 3600
            let day = hourIndex / 24
            if (peaks[day]?.value ?? -1) < rate { peaks[day] = Sample(timestamp: hourIndex * hour + hour / 2, value: rate) }
        }
        return peaks.values.sorted { $0.timestamp < $1.timestamp }
    }
}
