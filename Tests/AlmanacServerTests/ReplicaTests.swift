import AlmanacTesting
import Foundation
import Testing

/// Two servers on one PostgreSQL: a change made through one is served by the other. The one
/// second it takes at most is measured end to end (tests/e2e/test_replicas.py), where the load
/// is known; here, beside the whole parallel suite (and a build), it is only bounded loosely.
@Suite struct ReplicaTests {
    @Test func changeReachesTheOtherReplica() async throws {
        let database = try await Backend.postgres.database()
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], databaseURL: database, configure: { $0.changePollSeconds = 0.25 }) {
            a async throws in
            try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], databaseURL: database, configure: { $0.changePollSeconds = 0.25 }) {
                b async throws in
                let reply = try await HTTP.send(
                    "PUT", a.baseURL + "/api/v1/flags/headline/state", headers: Fixture.admin, body: #"{"state": "DISABLED"}"#)
                #expect(reply.status == 200)
                // The second counts from the acknowledgement: under a loaded suite the write itself can be slow.
                let started = ContinuousClock.now
                var seen = false
                while ContinuousClock.now - started < .seconds(10) {
                    let json = try Fixture.json(try await HTTP.send("POST", b.baseURL + "/ofrep/v1/evaluate/flags/headline").body)
                    if json["reason"] as? String == "DISABLED" {
                        seen = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(seen, "replica B did not serve the change within ten seconds")
            }
        }
    }
}
