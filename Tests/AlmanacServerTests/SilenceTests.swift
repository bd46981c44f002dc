import AlmanacAlerts
import AlmanacRuntime
import AlmanacServer
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import Testing

/// Silences, acknowledgements, grouping and repeats against a real webhook receiver over HTTP.
@Suite struct SilenceTests {
    static func config(receiverPort: Int) throws -> String {
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "monitoring/rules/ghost.yaml": """
                rules:
                  - alert: GhostAMissing
                    service: ghost
                    series: up{job="ghost-a"}
                    absent: 1m
                  - alert: GhostBMissing
                    service: ghost
                    series: up{job="ghost-b"}
                    absent: 1m
                """,
                "monitoring/notifications.yaml": """
                receivers:
                  - name: ops
                    webhook: http://127.0.0.1:\(receiverPort)/hook
                    group_by: [service]
                    repeat_interval: 2s
                """,
            ], to: config)
        return config
    }

    func firing(_ body: String) throws -> [String] {
        let alerts = try Fixture.json(body)["alerts"] as? [[String: Any]] ?? []
        return alerts.filter { $0["status"] as? String == "firing" }.compactMap { ($0["labels"] as? [String: String])?["alertname"] }.sorted()
    }

    @Test(arguments: Backend.allCases)
    func silencedAcknowledgedGroupedAndRepeated(backend: Backend) async throws {
        let database = try await backend.database()
        let data = try TestServer.temporaryDirectory()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        // A silence made before the server starts, straight in the store: B must never be sent.
        let store = try await Database.open(url: database, dataDirectory: data, logger: logger)
        let time = DrivenClock()
        let now = time.wall.milliseconds()
        let silenceID = try await SQLAlertStore(database: store).addSilence(
            Silence(id: 0, matchers: "{job=\"ghost-b\"}", startsAt: now, endsAt: now + 3_600_000, createdBy: "ann", comment: "moving ghost-b"),
            at: now)
        try await store.close()

        try await WebhookReceiver.run { receiver, port async throws in
            let config = try Self.config(receiverPort: port)
            try await TestServer.run(flagFiles: [:], configDirectory: config, dataDirectory: data, databaseURL: database) { c in
                c.ruleIntervalSeconds = 0.2
                c.notificationBackoffSeconds = 0.5
                c.clock = time.wall
            } _: { server async throws in
                #expect(try await time.advance(upTo: .seconds(20)) { await receiver.bodies.count >= 1 })
                let first = try #require(await receiver.bodies.first)
                #expect(try firing(first) == ["GhostAMissing"], "one message for the group, without the silenced alert")
                #expect((try Fixture.json(first)["groupLabels"] as? [String: String]) == ["service": "ghost"])

                // Still firing after the repeat interval (2 s): sent again.
                #expect(try await time.advance(upTo: .seconds(10)) { await receiver.bodies.count >= 2 })
                #expect(try firing(try #require(await receiver.bodies.last)) == ["GhostAMissing"])

                let admin = ["Authorization": "Bearer admin-secret", "Content-Type": "application/json"]
                let ack = try await HTTP.send(
                    "POST", server.baseURL + "/api/v1/alerts/ack", headers: admin,
                    body: #"{"rule": "GhostAMissing", "labels": {"job": "ghost-a"}, "comment": "on it"}"#)
                #expect(ack.status == 200)
                // A repeat already on its way when the acknowledgement landed may still arrive: count after it.
                try await time.advance(upTo: .seconds(1))
                let count = await receiver.bodies.count
                try await time.advance(upTo: .seconds(3))
                #expect(await receiver.bodies.count == count, "an acknowledged alert is not repeated")

                // Ending the silence changes the group: both alerts go out together.
                #expect(try await HTTP.send("DELETE", server.baseURL + "/api/v1/silences/\(silenceID)", headers: admin).status == 200)
                #expect(try await time.advance(upTo: .seconds(20)) { await receiver.bodies.count > count })
                #expect(try firing(try #require(await receiver.bodies.last)) == ["GhostAMissing", "GhostBMissing"])

                let history =
                    try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/alerts/history", headers: Fixture.admin).body)["events"]
                    as? [[String: Any]] ?? []
                let events = history.compactMap { $0["event"] as? String }
                #expect(events.contains("silenced by ann: moving ghost-b"))
                #expect(events.contains("acknowledged by tester (admin token): on it"))
                #expect(events.contains("expired by tester (admin token)"))
                let page = try await HTTP.send("GET", server.baseURL + "/alerts", headers: ["Authorization": "Bearer admin-secret"]).body
                #expect(page.contains("acknowledged by tester"))
                // A silence by the rule's service shows on the page as it acts on notifications.
                let byService = try await HTTP.send(
                    "POST", server.baseURL + "/api/v1/silences", headers: admin,
                    body: #"{"matchers": "{service=\"ghost\", alertname=\"GhostBMissing\"}", "duration": "1h", "comment": "quiet"}"#)
                let serviceSilence = try #require(try Fixture.json(byService.body)["id"] as? Int)
                let silenced = try await HTTP.send("GET", server.baseURL + "/alerts", headers: ["Authorization": "Bearer admin-secret"]).body
                #expect(silenced.contains("silenced by #\(serviceSilence)"))
            }
        }
    }

    @Test func requestsAreChecked() async throws {
        try await TestServer.run(flagFiles: [:]) { server async throws in
            let admin = ["Authorization": "Bearer admin-secret", "Content-Type": "application/json"]
            let url = server.baseURL + "/api/v1/silences"
            #expect(try await HTTP.send("POST", url, body: #"{"matchers": "{job=\"x\"}", "duration": "1h", "comment": "c"}"#).status == 401)
            let cases: [(String, String)] = [
                (#"{"matchers": "{job=\"x\"}", "duration": "1h"}"#, "comment"),
                (#"{"matchers": "{job=~\"(\"}", "duration": "1h", "comment": "c"}"#, "matchers"),
                (#"{"matchers": "{}", "duration": "1h", "comment": "c"}"#, "matchers"),
                (#"{"matchers": "{job=\"x\"}", "duration": "400d", "comment": "c"}"#, "duration"),
                (#"{"matchers": "{job=\"x\"}", "comment": "c"}"#, "duration"),
            ]
            for (body, field) in cases {
                let reply = try await HTTP.send("POST", url, headers: admin, body: body)
                #expect(reply.status == 400)
                #expect(try Fixture.json(reply.body)["field"] as? String == field, "\(body)")
            }
            let created = try await HTTP.send("POST", url, headers: admin, body: #"{"matchers": "{job=\"x\"}", "duration": "1h", "comment": "c"}"#)
            #expect(created.status == 201)
            let list = try Fixture.json(try await HTTP.send("GET", url, headers: Fixture.admin).body)["silences"] as? [[String: Any]]
            #expect(list?.first?["created_by"] as? String == "tester (admin token)")
            let unknown = try await HTTP.send("POST", server.baseURL + "/api/v1/alerts/ack", headers: admin, body: #"{"rule": "Nope", "labels": {}}"#)
            #expect(unknown.status == 404)
            #expect(try await HTTP.send("DELETE", url + "/999", headers: admin).status == 404)
        }
    }
}
