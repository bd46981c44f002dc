import AlmanacTesting
import Foundation
import Testing

/// One revision everywhere: a host that drifts from its environment's revision is reported,
/// and a rule on the drift series fires when it lasts.
@Suite struct DriftTests {
    @Test func aDriftingHostIsReportedAndAlerted() async throws {
        let repository = try await GitFixture.repository()
        let first = try await GitFixture.commit(repository, author: "ann", message: "one")
        let hosts = try TestServer.temporaryDirectory()
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                commands: {deploy: "echo {revision} > \(hosts)/{host}", health: "cat \(hosts)/{host}"}
                health_interval: 100ms
                environments:
                  - {name: production, hosts: [h1, h2, h3]}
                """,
                "monitoring/rules/drift.yaml": """
                rules:
                  - alert: RevisionDrift
                    series: almanac_revision_drift_seconds
                    above: {critical: 0.5}
                """,
            ], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { c in
            c.driftIntervalSeconds = 0.2
            c.ruleIntervalSeconds = 0.2
        } _: { server async throws in
            let started = try await HTTP.send(
                "POST", server.baseURL + "/api/v1/pipeline/production/rollouts", headers: Fixture.admin, body: "{\"revision\": \"main\"}")
            #expect(started.status == 202)
            func drift() async throws -> [[String: Any]] {
                try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/drift", headers: Fixture.admin).body)["hosts"]
                    as? [[String: Any]] ?? []
            }
            // Three hosts, four steps each, every one a child process: slow when the whole suite runs at once.
            #expect(
                try await waitFor(seconds: 30) {
                    let hosts = try await drift()
                    return hosts.count == 3 && hosts.allSatisfy { $0["revision"] as? String == first }
                })
            #expect(try await drift().allSatisfy { number($0["drifting_seconds"]) == 0 })
            // A host changed by hand while the rollout still checks its hosts would roll it back.
            let id = try #require(try Fixture.json(started.body)["id"] as? String)
            #expect(
                try await waitFor(seconds: 30) {
                    let rollout = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/rollouts/" + id, headers: Fixture.admin).body)
                    return rollout["phase"] as? String == "succeeded"
                })

            try "0123456789abcdef\n".write(toFile: hosts + "/h2", atomically: true, encoding: .utf8)  // changed by hand
            #expect(
                try await waitFor(seconds: 20) {
                    let hosts = try await drift()
                    return hosts.contains { $0["host"] as? String == "h2" && (number($0["drifting_seconds"]) ?? 0) > 0.5 }
                })
            let h2 = try #require(try await drift().first { $0["host"] as? String == "h2" })
            #expect(h2["revision"] as? String == "0123456789abcdef" && h2["expected"] as? String == first)
            #expect(
                try await waitFor {
                    let events =
                        try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/alerts/history", headers: Fixture.admin).body)["events"]
                        as? [[String: Any]] ?? []
                    return events.contains {
                        $0["rule"] as? String == "RevisionDrift" && $0["event"] as? String == "fired"
                            && ($0["labels"] as? String ?? "").contains("h2")
                    }
                })
            let page = try await HTTP.send("GET", server.baseURL + "/drift", headers: Fixture.admin).body
            #expect(page.contains("1 hosts differ.") && page.contains("<tr class=\"drifting\"><td>production</td><td>h2</td>"))
        }
    }
}
