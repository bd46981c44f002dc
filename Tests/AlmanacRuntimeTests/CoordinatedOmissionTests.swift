import AlmanacCapacity
import AlmanacConfig
import AlmanacRuntime
import AlmanacTesting
import Foundation
import Testing

/// The coordinated-omission check: a server that stalls for 1 s every 5 s, loaded at a
/// constant 500 requests/s for 30 s. Measured from each request's intended start, a fifth of
/// the requests wait out part of a stall, so p99 is near 950 ms while p50 stays at the
/// service time. wrk's p99 on the same server is printed beside it: Debian's wrk 4 back-fills
/// its histogram from an expected interval (its `stats_correct`), an estimate where this
/// measures each request.
@Suite(.serialized) struct CoordinatedOmissionTests {
    @Test func openModelSeesTheStallsThatWrkHides() async throws {
        try await StallingServer.run(period: 5, stall: 1) { port, stallStart in
            let yaml = "service: stall\ntarget: http://127.0.0.1:\(port)\nrequests: [/]\nopen: {rate: 500, duration: 30s}\n"
            let test = try LoadTestFile.parse(try ConfigDocument.parse(yaml, file: "stall.yaml"), name: "stall")
            let engine = try LoadEngine(test: test, plan: try RequestPlan(test: test, data: nil))
            let outcome = try await engine.run(test.model)
            let summary = outcome.summary

            // The answer worked out from the stall pattern alone: a request due at t waits until
            // the stall ends when t falls in one.
            let schedule = ArrivalSchedule([.init(from: 500, to: 500, seconds: 30)])
            let begin = outcome.startedAt.timeIntervalSince(stallStart)
            var expected = (0..<schedule.total).map { n -> Double in
                let phase = (begin + schedule.offset(n)!).truncatingRemainder(dividingBy: 5)
                return phase < 1 ? (1 - phase) * 1000 : 0
            }
            expected.sort()
            func analytic(_ p: Double) -> Double { expected[min(expected.count - 1, Int((p / 100 * Double(expected.count)).rounded(.up)) - 1)] }

            let wrk = try await Self.wrkP99(port: port)
            print(
                "coordinated omission: almanac p50 \(summary.response.p50) ms, p90 \(summary.response.p90) ms, p99 \(summary.response.p99) ms "
                    + "(analytic p90 \(analytic(90)) ms, p99 \(analytic(99)) ms); wrk p99 \(wrk) ms on the same server")
            #expect(summary.completed == 15_000)
            #expect(summary.errors == 0)
            #expect(summary.response.p99 >= 500)
            #expect(summary.response.p50 < 10)
            #expect(abs(summary.response.p99 - analytic(99)) <= 0.1 * analytic(99))
            #expect(abs(summary.response.p90 - analytic(90)) <= 0.1 * analytic(90))
            // Service time, from the moment each request went out, hides nothing here: the
            // requests were sent on time, so it shows the stall too.
            #expect(summary.lag.p99 < 50)
        }
    }

    /// wrk's own p99 (closed model, 10 connections, 10 s) against the same server, for the log.
    static func wrkP99(port: Int) async throws -> Double {
        let result = try await ProcessRunner.run(["wrk", "-t1", "-c10", "-d10s", "--latency", "http://127.0.0.1:\(port)/"])
        let line = try #require(result.output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("99%") })
        let text = String(line.split(separator: " ").last!)
        let value = Double(text.dropLast(text.hasSuffix("ms") || text.hasSuffix("us") ? 2 : 1))!
        return text.hasSuffix("us") ? value / 1000 : text.hasSuffix("ms") ? value : value * 1000
    }
}
