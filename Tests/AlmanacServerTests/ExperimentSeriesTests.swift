import AlmanacMetrics
import AlmanacServer
import AlmanacTesting
import Foundation
import Testing

/// Experiment metrics read from series labelled with the variant: a ratio of two counters
/// (errors over requests, each request a unit) and a counter per exposed user, from the series
/// store the server scrapes into; a selector that matches nothing is named on the results.
@Suite struct ExperimentSeriesTests {
    static let flags = """
        flags:
          checkout:
            state: ENABLED
            variants: {control: old, fast: new}
            defaultVariant: control
            targeting: {fractional: [[control, 50], [fast, 50]]}
            experiment:
              control: control
              metrics:
                - {name: errors, kind: ratio, numerator: 'requests_total{code="500"}', denominator: requests_total, lower_is_better: true}
                - {name: orders, kind: counter, series: orders_total}
                - {name: refunds, kind: counter, series: refunds_total}
        """

    @Test func ratiosAndCountersComeFromTheVariantsSeries() async throws {
        let time = DrivenClock()
        try await TestServer.run(
            flagFiles: ["checkout.yaml": Self.flags],
            configure: {
                $0.clock = time.wall
                $0.usageFlushSeconds = 0.2
            }
        ) {
            server async throws in
            let start = time.wall.milliseconds()
            for user in 0..<400 {
                let body = #"{"context": {"targetingKey": "u\#(user)"}}"#
                _ = try await HTTP.send(
                    "POST", server.baseURL + "/ofrep/v1/evaluate/flags/checkout", headers: ["Content-Type": "application/json"], body: body)
            }
            func results() async throws -> [String: Any] {
                try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/experiments/checkout", headers: Fixture.admin).body)
            }
            #expect(
                try await time.advance(upTo: .seconds(10)) {
                    let users = try await results()["users"] as? [[String: Any]] ?? []
                    return users.compactMap { $0["users"] as? Int }.reduce(0, +) == 400
                })
            // Counters scraped before the first exposure and after it: 1% of control's requests
            // fail, 3% of the new variant's; the new variant's users order a third more.
            func row(_ name: String, _ labels: [Label], _ before: Double, _ after: Double) -> [(name: String, labels: [Label], sample: Sample)] {
                [
                    (name, labels, Sample(timestamp: start - 30_000, value: before)),
                    (name, labels, Sample(timestamp: start + 5_000, value: before + after)),
                ]
            }
            var rows = row("requests_total", [Label("code", "200"), Label("variant", "control")], 500, 9_900)
            rows += row("requests_total", [Label("code", "500"), Label("variant", "control")], 7, 100)
            rows += row("requests_total", [Label("code", "200"), Label("variant", "fast")], 800, 9_700)
            rows += row("requests_total", [Label("code", "500"), Label("variant", "fast")], 3, 300)
            rows += row("orders_total", [Label("variant", "control")], 40, 600)
            rows += row("orders_total", [Label("variant", "fast")], 40, 800)
            try await server.server.seriesHeads.append(rows)
            try await time.advance(by: .seconds(1), upTo: .seconds(10))

            let metrics = try #require(try await results()["metrics"] as? [[String: Any]])
            let errors = try #require((metrics[0]["analysis"] as? [String: Any])?["variants"] as? [[String: Any]])
            #expect(errors.map { $0["users"] as? Int } == [10_000, 10_000], "each request is a unit")
            #expect(errors.map { number($0["mean"]) } == [0.01, 0.03])
            let lift = try #require(errors[1]["frequentist"] as? [String: Any])
            #expect(abs((number(lift["expected"]) ?? 0) - 2.0) < 1e-9 && (number(lift["p_value"]) ?? 1) < 0.001)
            let orders = try #require((metrics[1]["analysis"] as? [String: Any])?["variants"] as? [[String: Any]])
            #expect(orders.compactMap { $0["users"] as? Int }.reduce(0, +) == 400, "a counter is per exposed user")
            #expect(metrics[2]["analysis"] == nil && metrics[2]["problem"] as? String == "the selector refunds_total matches no series")
            let page = try await HTTP.send("GET", server.baseURL + "/experiments/checkout", headers: Fixture.admin).body
            #expect(page.contains("the selector refunds_total matches no series"))
        }
    }
}
