import AlmanacAlerts
import AlmanacCapacity
import AlmanacMetrics
import Foundation

/// What the service's processes or containers used while a run lasted, read from the series
/// the monitoring engine scraped: process metrics (client libraries, process-exporter) or
/// cAdvisor's container metrics, whichever the service exposes.
public struct LoadUsage: Sendable {
    /// The series that may hold a process's CPU seconds or memory, first found first used, each
    /// with the matchers it needs beyond the workload's own.
    static let cpuNames: [(String, [Selector.Matcher])] = [
        ("process_cpu_seconds_total", []), ("container_cpu_usage_seconds_total", []), ("namedprocess_namegroup_cpu_seconds_total", []),
    ]
    static let memoryNames: [(String, [Selector.Matcher])] = [
        ("process_resident_memory_bytes", []), ("container_memory_working_set_bytes", []),
        ("namedprocess_namegroup_memory_bytes", [.equal("memtype", "resident")]),
    ]

    let source: @Sendable () async throws -> any SeriesSource
    /// How long to wait (on the clock) for the first scrape after the run, so its last seconds
    /// count; nil reads what is stored now.
    let settle: (seconds: Double, clock: WallClock)?

    public init(settle: (seconds: Double, clock: WallClock)? = nil, source: @escaping @Sendable () async throws -> any SeriesSource) {
        self.source = source
        self.settle = settle
    }

    public init(source: any SeriesSource) { self.init(source: { source }) }

    /// The usage, or nil when no such series exists for the test's selector.
    public func measure(test: LoadTest, from start: Int64, seconds: Double, summary: LoadSummary) async throws -> Usage? {
        let matchers = try test.usage.map { try Selector($0) } ?? Selector(name: nil, matchers: [.equal("service", test.service)])
        let end = start + Int64(seconds * 1000)
        let deadline = settle.map { $0.clock.elapsed() + .milliseconds(Int64($0.seconds * 1000)) }
        var cpu: [SeriesData] = []
        var memory: [SeriesData] = []
        while true {
            let source = try await source()
            cpu = try await select(source, names: Self.cpuNames, matching: matchers, from: start - 300_000, to: end + 300_000)
            memory = try await select(source, names: Self.memoryNames, matching: matchers, from: start - 300_000, to: end + 300_000)
            let settled = (cpu + memory).allSatisfy { ($0.samples.last?.timestamp ?? .min) >= end }
            if cpu.isEmpty && memory.isEmpty { return nil }
            guard !settled, let settle, let deadline, settle.clock.elapsed() < deadline else { break }
            try await settle.clock.sleep(for: .milliseconds(500))
        }
        return Self.usage(cpu: cpu, memory: memory, start: start, end: end, summary: summary)
    }

    /// The first of `names` with samples, selected by the workload's matchers (built as values).
    func select(
        _ source: any SeriesSource, names: [(String, [Selector.Matcher])], matching matchers: Selector, from: Int64, to: Int64
    ) async throws -> [SeriesData] {
        for (name, extra) in names {
            let selector = matchers.named(name).adding(extra)
            let found = try await source.select(selector, from: from, to: to).filter { !$0.samples.isEmpty }
            if !found.isEmpty { return found }
        }
        return []
    }

    /// CPU seconds over the run (the counter's growth between the samples around it, resets
    /// counted as `CounterMath` counts them, less the idle rate before it for the time those samples
    /// reach past the run) per response; peak
    /// memory, and its growth over the idle level per request in flight (Little's law).
    static func usage(cpu: [SeriesData], memory: [SeriesData], start: Int64, end: Int64, summary: LoadSummary) -> Usage {
        var cpuSeconds: Double?
        for series in cpu {
            let samples = series.samples
            guard let before = samples.last(where: { $0.timestamp <= start }) ?? samples.first,
                let after = samples.first(where: { $0.timestamp >= end }) ?? samples.last, after.timestamp > before.timestamp
            else { continue }
            func growth(_ from: Int64, _ to: Int64) -> Double { CounterMath.growth(samples.filter { $0.timestamp >= from && $0.timestamp <= to }) }
            let earlier = samples.filter { $0.timestamp < before.timestamp && $0.timestamp >= before.timestamp - 120_000 }.first
            let idleRate = earlier.map { growth($0.timestamp, before.timestamp) / Double(before.timestamp - $0.timestamp) * 1000 } ?? 0
            let outside = max(0, Double(after.timestamp - before.timestamp - (end - start)) / 1000)
            cpuSeconds = (cpuSeconds ?? 0) + max(0, growth(before.timestamp, after.timestamp) - idleRate * outside)
        }
        var peak: Double?
        var idle: Double = 0
        for series in memory {
            let during = series.samples.filter { $0.timestamp >= start && $0.timestamp <= end + 60_000 }
            guard let top = during.map(\.value).max() else { continue }
            peak = (peak ?? 0) + top
            idle += (series.samples.last { $0.timestamp <= start } ?? series.samples[0]).value
        }
        let concurrency = summary.rate * summary.service.mean / 1000
        return Usage(
            cpuMillisecondsPerRequest: cpuSeconds.flatMap { summary.completed > 0 ? $0 * 1000 / Double(summary.completed) : nil },
            memoryPeakBytes: peak,
            memoryPerConcurrentRequestBytes: peak.flatMap { concurrency >= 0.01 ? max(0, $0 - idle) / concurrency : nil },
            cpuSeries: cpu.map(describe), memorySeries: memory.map(describe))
    }

    static func describe(_ series: SeriesData) -> String {
        series.name + "{" + series.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}
