import AlmanacConfig
import AlmanacServer
import AlmanacTesting
import Foundation
import Testing

/// CUPED in a live experiment: a client posts each user's events from before their exposure
/// (without a variant, which it does not know yet) and after it; the metric that names a
/// pre-period is adjusted by it, and its interval is far narrower than the same metric's without.
@Suite struct ExperimentCupedTests {
    static let flags = """
        flags:
          hero:
            state: ENABLED
            variants: {control: a, scan: b}
            defaultVariant: control
            targeting: {fractional: [[control, 50], [scan, 50]]}
            experiment:
              control: control
              metrics:
                - {name: spend, event: buy, kind: mean}
                - {name: spend-adjusted, event: buy, kind: mean, cuped: 7d}
        """

    @Test func thePrePeriodNarrowsTheInterval() async throws {
        let time = DrivenClock()
        try await TestServer.run(
            flagFiles: ["hero.yaml": Self.flags],
            configure: {
                $0.clock = time.wall
                $0.usageFlushSeconds = 0.2
            }
        ) {
            server async throws in
            let json = ["Content-Type": "application/json"]
            let start = time.wall.milliseconds()
            var random = SplitMix64(seed: 7)
            var events: [String] = []
            var variants: [String: String] = [:]
            for user in 0..<400 {
                let reply = try await HTTP.send(
                    "POST", server.baseURL + "/ofrep/v1/evaluate/flags/hero", headers: json, body: #"{"context": {"targetingKey": "u\#(user)"}}"#)
                variants["u\(user)"] = try Fixture.json(reply.body)["variant"] as? String
            }
            // Each user spends about what they spent the week before, the scan variant 5 more.
            for user in 0..<400 {
                let habit = Double(random.next() % 100)
                let after = habit + (variants["u\(user)"] == "scan" ? 5 : 0) + Double(random.next() % 5)
                events.append(
                    #"{"id": "pre-\#(user)", "type": "conversion", "flag": "hero", "targeting_key": "u\#(user)", "event": "buy", "#
                        + #""value": \#(habit), "timestamp": \#(start - 86_400_000)}"#)
                events.append(
                    #"{"id": "post-\#(user)", "type": "conversion", "flag": "hero", "targeting_key": "u\#(user)", "event": "buy", "#
                        + #""value": \#(after), "timestamp": \#(start + 1_000)}"#)
            }
            try await time.advance(by: .seconds(1), upTo: .seconds(3))
            let posted = try await HTTP.send(
                "POST", server.baseURL + "/api/v1/events", headers: json, body: #"{"events": [\#(events.joined(separator: ","))]}"#)
            #expect(posted.status == 200, "\(posted.body)")
            let exposure = #"{"events": [{"id": "x", "type": "exposure", "flag": "hero", "targeting_key": "u1"}]}"#
            let refused = try await HTTP.send("POST", server.baseURL + "/api/v1/events", headers: json, body: exposure)
            #expect(refused.status == 400 && refused.body.contains("events[0].variant"))

            func metrics() async throws -> [[String: Any]] {
                let body = try await HTTP.send("GET", server.baseURL + "/api/v1/experiments/hero", headers: Fixture.admin).body
                return try Fixture.json(body)["metrics"] as? [[String: Any]] ?? []
            }
            #expect(try await time.advance(upTo: .seconds(10)) { (try await metrics().first?["analysis"]) != nil })
            let all = try await metrics()
            func width(_ metric: [String: Any]) -> Double? {
                let rows = (metric["analysis"] as? [String: Any])?["variants"] as? [[String: Any]]
                let lift = rows?.last?["frequentist"] as? [String: Any]
                return number(lift?["upper"]).flatMap { upper in number(lift?["lower"]).map { upper - $0 } }
            }
            let plain = try #require(width(all[0]))
            let adjusted = try #require(width(all[1]))
            #expect(all[1]["kind"] as? String == "mean, CUPED over 7 days")
            #expect(adjusted < plain * 0.2, "CUPED \(adjusted) against \(plain)")
        }
    }
}
