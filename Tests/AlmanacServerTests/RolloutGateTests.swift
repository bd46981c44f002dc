import AlmanacMetrics
import AlmanacStorage
import AlmanacTesting
import Foundation
import SQLKit
import Testing

/// Gates fail closed: a gate that cannot read its inputs holds the rollout after the canary
/// and tells the receivers; an error rate above its level in the local store rolls back; a
/// rollout whose lock another server took stops where it is.
@Suite struct RolloutGateTests {
    struct Setup {
        var repository: String
        var revisions: [String]
        var hosts: String
        var config: String
        var receiverPort: Int
    }

    /// Three hosts that run what their file says; `gates` and `deploy` as the test needs.
    static func setup(gates: String, deploy: String = "echo {revision} > HOSTS/{host}") async throws -> Setup {
        let repository = try await GitFixture.repository()
        var revisions: [String] = []
        for message in ["one", "two"] { revisions.append(try await GitFixture.commit(repository, author: "ann", message: message)) }
        let hosts = try TestServer.temporaryDirectory()
        let config = try TestServer.temporaryDirectory()
        let receiverPort = try WebhookReceiver.freePort()
        try TestServer.write(
            [
                "monitoring/notifications.yaml": "receivers:\n  - name: ops\n    webhook: http://127.0.0.1:\(receiverPort)/hook\n",
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                service: web
                commands: {deploy: "\(deploy.replacingOccurrences(of: "HOSTS", with: hosts))", health: "cat \(hosts)/{host}"}
                timeouts: {health: 1s}
                health_interval: 100ms
                environments:
                  - {name: production, hosts: [app1, app2, app3], waves: [1, 100%], gates: \(gates)}
                """,
            ], to: config)
        return Setup(repository: repository, revisions: revisions, hosts: hosts, config: config, receiverPort: receiverPort)
    }

    func running(_ setup: Setup) -> [String] {
        ["app1", "app2", "app3"].map {
            (try? String(contentsOfFile: setup.hosts + "/" + $0, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "-"
        }
    }

    /// Rolls out and waits until the rollout stops moving, paused included.
    func roll(_ server: TestServer, _ revision: String) async throws -> [String: Any] {
        let started = try await HTTP.send(
            "POST", server.baseURL + "/api/v1/pipeline/production/rollouts", headers: Fixture.admin, body: "{\"revision\": \"\(revision)\"}")
        let id = try #require(try Fixture.json(started.body)["id"] as? String, "\(started.body)")
        var rollout: [String: Any] = [:]
        _ = try await waitFor(seconds: 10) {
            rollout = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/rollouts/\(id)", headers: Fixture.admin).body)
            return ["succeeded", "rolled-back", "aborted", "interrupted", "paused"].contains(rollout["phase"] as? String ?? "")
        }
        return rollout
    }

    @Test func unreadableAlertStateHoldsTheRolloutAndTellsPeople() async throws {
        let setup = try await Self.setup(gates: "{alerts: true}")
        try await WebhookReceiver.run(port: setup.receiverPort) { receiver, _ async throws in
            try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: setup.config) { server async throws in
                try await server.server.database.sql.insert(into: "alert_state").columns("id", "data", "updated_at")
                    .values(SQLBind("tracker"), SQLBind("{not json"), SQLBind(0)).run()
                let rollout = try await roll(server, setup.revisions[1])
                #expect(rollout["phase"] as? String == "paused")
                #expect((rollout["held"] as? String)?.hasPrefix("the alert gate cannot read the alert state") == true, "\(rollout)")
                #expect(running(setup) == [setup.revisions[1], "-", "-"], "only the canary changed")
                #expect(try await waitFor { await receiver.bodies.contains { $0.contains("RolloutHeld") && $0.contains("alert state") } })
            }
        }
    }

    @Test func invalidErrorRateSelectorHoldsTheRollout() async throws {
        let setup = try await Self.setup(gates: "{alerts: false, error_rate: {series: 'http_errors{', above: 0.02}}")
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: setup.config) { server async throws in
            let rollout = try await roll(server, setup.revisions[1])
            #expect(rollout["phase"] as? String == "paused")
            #expect((rollout["held"] as? String)?.contains("is not a valid selector") == true, "\(rollout)")
            #expect(running(setup) == [setup.revisions[1], "-", "-"])
        }
    }

    @Test func errorRateInTheLocalStoreDecidesTheWave() async throws {
        let setup = try await Self.setup(gates: "{alerts: false, error_rate: {series: http_errors_ratio, above: 0.02}}")
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: setup.config) { server async throws in
            // No value at all: the gate cannot tell, so it holds.
            let blind = try await roll(server, setup.revisions[0])
            #expect(blind["phase"] as? String == "paused")
            #expect((blind["held"] as? String)?.contains("found no value of http_errors_ratio") == true, "\(blind)")
            let heads = server.server.seriesHeads
            func record(_ value: Double) async throws {
                try await heads.append([
                    (name: "http_errors_ratio", labels: [Label("service", "web")], sample: Sample(timestamp: Self.now(), value: value))
                ])
            }
            try await record(0.001)
            let resumed = try await HTTP.send(
                "POST", server.baseURL + "/api/v1/rollouts/\(blind["id"] as? String ?? "")/resume", headers: Fixture.admin)
            #expect(resumed.status == 200, "\(resumed.body)")
            let controls = try Fixture.json(resumed.body)["controls"] as? [[String: Any]]
            #expect(controls?.last?["action"] as? String == "resume" && controls?.last?["by"] as? String == "tester (admin token)", "who resumed")
            let url = server.baseURL + "/api/v1/rollouts/\(blind["id"] as? String ?? "")"
            #expect(
                try await waitFor {
                    try Fixture.json(try await HTTP.send("GET", url, headers: Fixture.admin).body)["phase"] as? String == "succeeded"
                })
            #expect(running(setup) == Array(repeating: setup.revisions[0], count: 3))
            try await record(0.3)
            let bad = try await roll(server, setup.revisions[1])
            #expect(bad["phase"] as? String == "rolled-back")
            #expect(bad["failure"] as? String == "http_errors_ratio is 0.3, above 0.02")
            #expect(running(setup) == Array(repeating: setup.revisions[0], count: 3))
        }
    }

    @Test func aLostLeaseStopsTheRollout() async throws {
        let setup = try await Self.setup(gates: "{alerts: false}", deploy: "sleep 0.5; echo {revision} > HOSTS/{host}")
        try await WebhookReceiver.run(port: setup.receiverPort) { receiver, _ async throws in
            try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: setup.config) { server async throws in
                let started = try await HTTP.send(
                    "POST", server.baseURL + "/api/v1/pipeline/production/rollouts", headers: Fixture.admin,
                    body: "{\"revision\": \"\(setup.revisions[1])\"}")
                #expect(started.status == 202)
                // Another server takes the lock once the canary runs the new revision.
                #expect(try await waitFor { running(setup)[0] == setup.revisions[1] })
                try await server.server.database.sql.update("rollout_locks").set("holder", to: SQLBind("another-server"))
                    .set("lease_until", to: SQLBind(Self.now() + 600_000)).run()
                #expect(try await waitFor { await receiver.bodies.contains { $0.contains("RolloutStopped") } })
                try await Task.sleep(for: .seconds(2))
                // A step already under way may finish; nothing after it starts.
                #expect(running(setup)[2] == "-", "the last host was never touched")
                let id = try #require(try Fixture.json(started.body)["id"] as? String)
                let rollout = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/rollouts/\(id)", headers: Fixture.admin).body)
                #expect(rollout["phase"] as? String != "succeeded")
            }
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
