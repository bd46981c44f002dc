import AlmanacRuntime
import AlmanacServer
import AlmanacTesting
import Foundation
import Testing

/// Rules fire and reach a real webhook receiver over HTTP, once: a restart while firing sends no
/// duplicate, and a receiver that is down gets the notification when it comes back.
@Suite struct AlertNotificationTests {
    static func config(receiverPort: Int) throws -> String {
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "monitoring/rules/ghost.yaml": """
                rules:
                  - alert: GhostExporterMissing
                    service: ghost
                    series: up{job="ghost"}
                    absent: 1m
                    summary: The ghost exporter reports nothing.
                """,
                "monitoring/notifications.yaml": "receivers:\n  - name: ops\n    webhook: http://127.0.0.1:\(receiverPort)/hook\n",
            ], to: config)
        return config
    }

    /// Rules every 0.2 s and retries within 0.5 s of the test's clock.
    static func configure(_ time: DrivenClock) -> @Sendable (inout ServerConfiguration) -> Void {
        { c in
            c.ruleIntervalSeconds = 0.2
            c.notificationBackoffSeconds = 0.5
            c.clock = time.wall
        }
    }

    @Test(arguments: Backend.allCases)
    func firesOnceAcrossARestart(backend: Backend) async throws {
        let database = try await backend.database()
        let time = DrivenClock()
        try await WebhookReceiver.run { receiver, port async throws in
            let config = try Self.config(receiverPort: port)
            let data = try TestServer.temporaryDirectory()
            try await TestServer.run(
                flagFiles: [:], configDirectory: config, dataDirectory: data, databaseURL: database, configure: Self.configure(time)
            ) { _ async throws in
                #expect(try await time.advance(upTo: .seconds(20)) { await !receiver.bodies.isEmpty })
            }
            let first = await receiver.bodies
            #expect(first.count == 1)
            let payload = try Fixture.json(try #require(first.first))
            #expect(payload["version"] as? String == "4")
            #expect(payload["status"] as? String == "firing")
            let alert = try #require((payload["alerts"] as? [[String: Any]])?.first)
            let labels = try #require(alert["labels"] as? [String: String])
            #expect(labels == ["alertname": "GhostExporterMissing", "job": "ghost", "service": "ghost", "severity": "critical"])
            #expect((alert["annotations"] as? [String: String])?["summary"] == "The ghost exporter reports nothing.")
            try await TestServer.run(
                flagFiles: [:], configDirectory: config, dataDirectory: data, databaseURL: database, configure: Self.configure(time)
            ) { server async throws in
                try await time.advance(upTo: .seconds(1.5))
                let history =
                    try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/alerts/history", headers: Fixture.admin).body)["events"]
                    as? [[String: Any]]
                #expect(history?.map { $0["event"] as? String } == ["fired"])
            }
            #expect(await receiver.bodies.count == 1, "a restart while firing must not notify again")
        }
    }

    @Test func aReceiverThatWasDownGetsTheNotificationLater() async throws {
        let port = try WebhookReceiver.freePort()
        let config = try Self.config(receiverPort: port)
        let time = DrivenClock()
        try await TestServer.run(flagFiles: [:], configDirectory: config, configure: Self.configure(time)) { _ async throws in
            try await time.advance(upTo: .seconds(1.5))  // fired and failed to deliver, several times
            try await WebhookReceiver.run(port: port) { receiver, _ async throws in
                #expect(try await time.advance(upTo: .seconds(20)) { await receiver.bodies.count == 1 })
                try await time.advance(upTo: .seconds(1))
                #expect(await receiver.bodies.count == 1, "delivered once, not once per retry")
            }
        }
    }
}
