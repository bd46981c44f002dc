import AlmanacCapacity
import AlmanacConfig
import AlmanacMetrics
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import Testing

/// `--for-traffic` on a real SQLite store: a request counter whose busiest hour grows by 1
/// request/s a day for 30 days (10 to 39), a process using 0.2 core, and a stored load test
/// run that priced a request at 2 ms of CPU. Ten days on, the forecast peak is near 49.5
/// requests/s, so the CPU it needs is 49.5 × 2 ms × 1.15 = 0.114 core.
@Suite struct TrafficSizingTests {
    @Test func sizesForTheForecastPeak() async throws {
        let logger = Logger(label: "test")
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: logger)
        let store = SQLSeriesStore(database: database)
        let heads = SeriesHeads(store: store)
        let day: Int64 = 86_400_000
        let hour: Int64 = 3_600_000
        let now = (WallClock.system.milliseconds() / day) * day
        var counter = 0.0
        var samples: [(name: String, labels: [Label], sample: Sample)] = []
        for d in 0..<30 {
            for h in 0..<24 {
                // Quiet at night, the day's peak at 14:00: the peak hour's rate is 10 + d.
                let rate = h == 14 ? Double(10 + d) : 2
                for quarter in 0..<4 {
                    let t = now - Int64(30 - d) * day + Int64(h) * hour + Int64(quarter) * 900_000
                    samples.append(("shop_requests_total", [Label("service", "shop")], Sample(timestamp: t, value: counter)))
                    samples.append(("process_cpu_seconds_total", [Label("service", "shop")], Sample(timestamp: t, value: counter / 100)))
                    samples.append(("process_resident_memory_bytes", [Label("service", "shop")], Sample(timestamp: t, value: 3e8)))
                    counter += rate * 900
                }
            }
        }
        _ = try await heads.append(samples)
        try await heads.flush()
        var run = LoadRun(
            test: try LoadTestFile.parse(
                try ConfigDocument.parse(
                    "service: shop\ntarget: http://127.0.0.1:1\nrequests: [/]\nclosed: {connections: 1, duration: 1s}\n", file: "t.yaml"),
                name: "shop"), kind: "run", startedAt: now - day, model: .closed(connections: 1, seconds: 1),
            summary: LoadSummary(LoadRecorder(), seconds: 1), thresholds: [], intervals: [], histogram: .latency(), aborted: nil)
        run.usage = Usage(cpuMillisecondsPerRequest: 2, memoryPeakBytes: 3e8, memoryPerConcurrentRequestBytes: nil, cpuSeries: [], memorySeries: [])
        let runs = LoadRunStore(database: database)
        let id = try await runs.save(
            .init(
                test: "shop", service: "shop", kind: "run", startedAt: run.startedAt, revision: nil, outcome: "passed",
                record: try JSONReport.string(run)))
        let (_, workloads) = try ResourcesFile.parse(
            try ConfigDocument.parse("workloads:\n  - {name: shop, service: shop, traffic: shop_requests_total}\n", file: ResourcesFile.path))
        let service = RecommendService(runs: runs) { StoredSeriesSource(store: store, steps: []) }
        let result = try #require(await service.recommend(workloads, parameters: .init(), now: now, forTraffic: now + 10 * day).first)
        guard let sizing = result.forTraffic else {
            Issue.record("no sizing: \(result.forTrafficMissing ?? "")")
            return
        }
        #expect(sizing.costRun == id)
        #expect(abs(sizing.peakRate.likely - 49.5) < 2, "\(sizing.peakRate)")
        #expect(sizing.peakRate.low <= sizing.peakRate.likely && sizing.peakRate.likely <= sizing.peakRate.high)
        #expect(abs(sizing.cpuCores.likely - sizing.peakRate.likely * 0.002 * 1.15) < 1e-9)
        #expect(sizing.cpuCores.likely > 0.1 && sizing.cpuCores.likely < 0.13)
        try await database.close()
    }
}
