import AlmanacAlerts
import AlmanacCapacity
import AlmanacMetrics
import AlmanacSLO
import Testing

@testable import AlmanacRuntime

/// One counter, reset in the middle of an hour, read by every page that counts: the load test's
/// CPU per request, the recommender's cores, the cost report's increase and the SLO's events
/// all see the same growth, because they all count through `CounterMath`.
@Suite struct CounterPathsTests {
    static let from: Int64 = 1_764_547_200_000  // an hour's start
    static let step: Int64 = 15_000
    static let to = from + 3_600_000

    /// 3 more every 15 s from 1000; half way the process restarts and the counter starts again
    /// from zero, having counted 3 by its next sample.
    static var counter: SeriesData {
        var value = 1000.0
        var samples = [Sample(timestamp: from, value: value)]
        for i in 1...240 {
            value = i == 120 ? 3 : value + 3
            samples.append(Sample(timestamp: from + Int64(i) * step, value: value))
        }
        return SeriesData(name: "process_cpu_seconds_total", labels: [Label("service", "search")], samples: samples)
    }

    @Test func everyPathCountsTheSameIncrease() throws {
        let counter = Self.counter
        let expected = 3.0 * 240

        let costs = try #require(Counters.increase([counter], from: Self.from, to: Self.to))
        #expect(abs(costs - expected) < 1e-9, "costs: \(costs)")

        var recorder = LoadRecorder()
        for _ in 0..<1000 { recorder.recordResponse(status: 200, responseMicros: 1000, serviceMicros: 1000) }
        let summary = LoadSummary(recorder, seconds: 3600)
        let usage = LoadUsage.usage(cpu: [counter], memory: [], start: Self.from, end: Self.to, summary: summary)
        let cpuSeconds = try #require(usage.cpuMillisecondsPerRequest) * Double(summary.completed) / 1000
        #expect(abs(cpuSeconds - expected) < 1e-9, "load usage: \(cpuSeconds)")

        let cores = RecommendService.cores([counter])
        #expect(cores.count == 240, "the reset interval is kept, not dropped")
        let recommended = cores.reduce(0) { $0 + $1.cores * Double(Self.step) / 1000 }
        #expect(abs(recommended - expected) < 1e-9, "recommender: \(recommended)")

        let events = EventCounts.increase(counter.samples, from: Self.from, to: Self.to)
        #expect(abs(events - expected) < 1e-9, "SLO: \(events)")

        let prometheus = try #require(CounterMath.increase(counter.samples, from: Self.from, to: Self.to))
        #expect(abs(prometheus - expected) < 1e-9, "Prometheus's increase: \(prometheus)")
    }
}
