import AlmanacMetrics
import AlmanacRuntime
import AlmanacServer
import AlmanacTesting
import Foundation
import Testing

/// Ramps in a running server on the test's clock, on both databases: one without guards steps to
/// the end; one behind a firing alert holds; one behind an SLO that burns reverts; one behind an
/// SLO without series holds because its guard cannot be read. Each stopped ramp is told to the
/// receiver once.
@Suite struct RampGuardTests {
    static func ramp(_ flag: String, steps: String = "[10, 50]", failure: String = "hold", guards: String?) -> String {
        """
          \(flag):
            state: ENABLED
            variants: {old: false, new: true}
            defaultVariant: old
            ramp: {variant: new, steps: \(steps), every: 10s, on_failure: \(failure)\(guards.map { ", guards: \($0)" } ?? "")}

        """
    }

    static func config(receiverPort: Int) throws -> String {
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "catalog/services.yaml": SLOServerTests.catalog,
                "slos/api.yaml": SLOServerTests.slos,
                "monitoring/rules/ghost.yaml": "rules:\n  - alert: GhostExporterMissing\n    series: up{job=\"ghost\"}\n    absent: 1m\n",
                "monitoring/notifications.yaml": "receivers:\n  - name: ops\n    webhook: http://127.0.0.1:\(receiverPort)/hook\n",
            ], to: config)
        return config
    }

    static let flags =
        "flags:\n" + ramp("footer", guards: nil) + ramp("checkout", guards: "{alerts: [GhostExporterMissing]}")
        + ramp("search", failure: "revert", guards: "{slos: [{slo: api-availability, max_burn: 2}]}")
        + ramp("profile", failure: "revert", guards: "{slos: [{slo: wiki-availability}]}")

    @Test(arguments: Backend.allCases)
    func eachGuardStopsItsRamp(backend: Backend) async throws {
        let database = try await backend.database()
        let time = DrivenClock()
        try await WebhookReceiver.run { receiver, port async throws in
            try await TestServer.run(
                flagFiles: ["ramps.yaml": Self.flags], configDirectory: try Self.config(receiverPort: port), databaseURL: database,
                configure: AlertNotificationTests.configure(time)
            ) { server async throws in
                try await server.server.seriesHeads.append(SLOServerTests.outage(now: time.wall.milliseconds()))
                func ramps() async throws -> [String: [String: Any]] {
                    let list = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/ramps", headers: Fixture.admin).body)
                    let items = list["ramps"] as? [[String: Any]] ?? []
                    return Dictionary(uniqueKeysWithValues: items.map { ($0["flag"] as? String ?? "", $0) })
                }
                #expect(
                    try await time.advance(by: .milliseconds(500), upTo: .seconds(60)) {
                        let ramps = try await ramps()
                        return ramps["footer"]?["status"] as? String == "complete" && ramps["checkout"]?["status"] as? String == "held"
                            && ramps["search"]?["status"] as? String == "reverted" && ramps["profile"]?["status"] as? String == "held"
                    })
                let ramps = try await ramps()
                #expect(number(ramps["footer"]?["percent"]) == 50)
                #expect(number(ramps["checkout"]?["percent"]) == 10 && ramps["checkout"]?["reason"] as? String == "alert GhostExporterMissing fires")
                #expect(number(ramps["search"]?["percent"]) == 0)
                #expect((ramps["search"]?["reason"] as? String)?.hasPrefix("SLO api-availability burns its budget") == true)
                #expect(
                    ramps["profile"]?["reason"] as? String
                        == "a guard cannot be read: SLO wiki-availability: slos/api.yaml:5: sli: no stored series matches wiki_requests_total",
                    "unreadable holds even where the file says revert")
                #expect(try await time.advance(upTo: .seconds(10)) { await receiver.bodies.count >= 3 })
                try await time.advance(upTo: .seconds(2))
                let bodies = await receiver.bodies
                let flags = bodies.compactMap { body in
                    (try? Fixture.json(body)).flatMap { ($0["groupLabels"] as? [String: String])?["flag"] ?? Self.flag(in: $0) }
                }
                #expect(flags.sorted() == ["checkout", "profile", "search"], "\(bodies)")

                let audit = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/flags/footer/audit", headers: Fixture.admin).body)
                let actions = (audit["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                #expect(actions == ["ramp-complete", "ramp-step", "ramp-start"])
            }
        }
    }

    static func flag(in payload: [String: Any]) -> String? {
        let alerts = payload["alerts"] as? [[String: Any]]
        return (alerts?.first?["labels"] as? [String: String])?["flag"]
    }
}
