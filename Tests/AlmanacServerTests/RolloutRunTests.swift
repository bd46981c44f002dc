import AlmanacTesting
import Foundation
import Testing

/// Rollouts run for real: three "hosts" whose deploy and health commands are shell scripts
/// working on files, a git repository made here, and a revision whose health check fails.
@Suite struct RolloutRunTests {
    @Test func goodRevisionEverywhereBadOneRolledBackAtTheCanary() async throws {
        let repository = try await GitFixture.repository()
        let good1 = try await GitFixture.commit(repository, author: "ann", message: "First", files: ["status": "ok\n"])
        let good2 = try await GitFixture.commit(repository, author: "bob", message: "Second (#2)", files: ["status": "ok\n", "a": "1\n"])
        let broken = try await GitFixture.commit(repository, author: "cy", message: "Broken (#3)", files: ["status": "broken\n"])
        let hosts = try TestServer.temporaryDirectory()
        // A host "runs" a revision when its file says so; a broken revision never comes up.
        try """
        host=$1; revision=$2
        if [ "$(git -C \(repository) show $revision:status)" = broken ]; then echo crashed > \(hosts)/$host; exit 0; fi
        echo $revision > \(hosts)/$host
        """.write(toFile: hosts + "/deploy.sh", atomically: true, encoding: .utf8)
        let config = try TestServer.temporaryDirectory()
        let receiverPort = try WebhookReceiver.freePort()
        try TestServer.write(
            ["monitoring/notifications.yaml": "receivers:\n  - name: ops\n    webhook: http://127.0.0.1:\(receiverPort)/hook\n"], to: config)
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                commands:
                  deploy: sh \(hosts)/deploy.sh {host} {revision}
                  health: cat \(hosts)/{host}
                  drain: echo drained {host} >> \(hosts)/lb.log
                  undrain: echo undrained {host} >> \(hosts)/lb.log
                timeouts: {health: 1s}
                health_interval: 100ms
                environments:
                  - {name: production, hosts: [app1, app2, app3], waves: [1, 100%]}
                """
            ], to: config)
        try await WebhookReceiver.run(port: receiverPort) { receiver, _ async throws in
            try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server async throws in
                func roll(_ revision: String) async throws -> [String: Any] { try await rollOut(server, "production", to: revision) }
                func running() throws -> [String] {
                    try ["app1", "app2", "app3"].map {
                        try String(contentsOfFile: hosts + "/" + $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }

                #expect(try await roll(good1)["phase"] as? String == "succeeded")
                #expect(try running() == [good1, good1, good1])
                let second = try await roll("main~1")
                #expect(second["phase"] as? String == "succeeded" && second["to"] as? String == good2)
                #expect(try running() == [good2, good2, good2])

                let failed = try await roll(broken)
                #expect(failed["phase"] as? String == "rolled-back")
                #expect((failed["failure"] as? String)?.hasPrefix("app1: check failed: reports revision none") == true, "\(failed["failure"] ?? "")")
                #expect(try running() == [good2, good2, good2], "the canary is back on the old revision, the others never left it")
                let log = try #require(failed["log"] as? [[String: Any]])
                #expect(log.filter { $0["revision"] as? String == broken }.compactMap { $0["host"] as? String } == ["app1", "app1", "app1"])
                #expect(log.last?["step"] as? String == "undrain" && log.last?["revision"] as? String == good2)

                // One at a time: a second start while nothing runs is fine, a bad revision is refused.
                let unknown = try await HTTP.send(
                    "POST", server.baseURL + "/api/v1/pipeline/production/rollouts", headers: Fixture.admin,
                    body: "{\"revision\": \"no-such-branch\"}")
                #expect(unknown.status == 400)

                // People hear of the rollback.
                #expect(try await waitFor { await receiver.bodies.contains { $0.contains("RolloutRolledBack") } })
                let notice = try #require(await receiver.bodies.first { $0.contains("RolloutRolledBack") })
                #expect(notice.contains("app1: check failed"))
            }
        }
    }
}

/// The daily staging: an environment that follows the stable branch is rolled out to its head.
@Suite struct FollowTests {
    @Test func stagingFollowsTheBranchHead() async throws {
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
                  - {name: staging, hosts: [staging1], follow: main, at: "03:00"}
                """
            ], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server async throws in
            func follow() async throws -> [String: Any] {
                try Fixture.json(try await HTTP.send("POST", server.baseURL + "/api/v1/pipeline/staging/follow", headers: Fixture.admin).body)
            }
            func settled() async throws {
                _ = try await waitFor(seconds: 5) {
                    let rollouts =
                        try Fixture.json(
                            try await HTTP.send("GET", server.baseURL + "/api/v1/pipeline/staging/rollouts", headers: Fixture.admin).body)["rollouts"]
                        as? [[String: Any]]
                    return rollouts?.first?["phase"] as? String == "succeeded"
                }
            }
            #expect(try await follow()["started"] as? Bool == true)
            try await settled()
            #expect(try String(contentsOfFile: hosts + "/staging1", encoding: .utf8).hasPrefix(first))
            #expect(try await follow()["reason"] as? String == "staging already runs the head of main")
            let second = try await GitFixture.commit(repository, author: "bob", message: "two")
            #expect(try await follow()["started"] as? Bool == true)
            try await settled()
            #expect(try String(contentsOfFile: hosts + "/staging1", encoding: .utf8).hasPrefix(second))
        }
    }
}

/// The first rollout of an environment learns what its hosts run, so it can roll back to it.
@Suite struct FirstRolloutTests {
    @Test func aBrokenFirstRolloutGoesBackToWhatTheHostsRan() async throws {
        let repository = try await GitFixture.repository()
        let running = try await GitFixture.commit(repository, author: "ann", message: "in production before Almanac", files: ["status": "ok\n"])
        let broken = try await GitFixture.commit(repository, author: "bob", message: "broken", files: ["status": "broken\n"])
        let hosts = try TestServer.temporaryDirectory()
        for host in ["h1", "h2"] { try (String(running.prefix(12)) + "\n").write(toFile: hosts + "/" + host, atomically: true, encoding: .utf8) }
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                commands:
                  deploy: "if [ \\"$(git -C \(repository) show {revision}:status)\\" = broken ]; then echo crashed > \(hosts)/{host}; else echo {revision} > \(hosts)/{host}; fi"
                  health: cat \(hosts)/{host}
                timeouts: {health: 1s}
                health_interval: 100ms
                environments:
                  - {name: production, hosts: [h1, h2]}
                """
            ], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server async throws in
            let rollout = try await rollOut(server, "production", to: broken)
            #expect(rollout["phase"] as? String == "rolled-back" && rollout["from"] as? String == running)
            #expect(try String(contentsOfFile: hosts + "/h1", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == running)
        }
    }
}

/// Gates between waves: an alert firing in the environment stops the rollout after the canary.
@Suite struct GateTests {
    @Test func aFiringAlertRollsBackAfterTheCanary() async throws {
        let repository = try await GitFixture.repository()
        let old = try await GitFixture.commit(repository, author: "ann", message: "old")
        let new = try await GitFixture.commit(repository, author: "bob", message: "new")
        let hosts = try TestServer.temporaryDirectory()
        for host in ["h1", "h2"] { try (old + "\n").write(toFile: hosts + "/" + host, atomically: true, encoding: .utf8) }
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                service: shop
                commands: {deploy: "echo {revision} > \(hosts)/{host}", health: "cat \(hosts)/{host}"}
                health_interval: 100ms
                environments:
                  - {name: production, hosts: [h1, h2], waves: [1, 100%]}
                """,
                "monitoring/rules/shop.yaml": """
                rules:
                  - alert: ShopExporterMissing
                    series: up{job="shop", service="shop"}
                    absent: 1m
                """,
            ], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { c in
            c.ruleIntervalSeconds = 0.1
        } _: { server async throws in
            #expect(
                try await waitFor {
                    let events =
                        try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/alerts/history", headers: Fixture.admin).body)["events"]
                        as? [[String: Any]] ?? []
                    return events.contains { $0["event"] as? String == "fired" }
                })
            let rollout = try await rollOut(server, "production", to: new)
            #expect(rollout["phase"] as? String == "rolled-back")
            #expect(rollout["failure"] as? String == "alert ShopExporterMissing fires for shop")
            for host in ["h1", "h2"] {
                #expect(try String(contentsOfFile: hosts + "/" + host, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == old)
            }
        }
    }
}
