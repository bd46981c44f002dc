import AlmanacTesting
import Foundation
import Testing

/// Run-time changes through the admin API: authenticated, validated, audited, served at once.
@Suite struct AdminTests {
    func evaluate(_ server: TestServer, _ key: String, _ context: String = "{}") async throws -> [String: Any] {
        try Fixture.json(try await HTTP.send("POST", server.baseURL + "/ofrep/v1/evaluate/flags/\(key)", body: #"{"context": \#(context)}"#).body)
    }

    @Test(arguments: Backend.allCases)
    func killSwitchIsAuditedAndServed(backend: Backend) async throws {
        let database = try await backend.database()
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], databaseURL: database) { server async throws in
            let write = server.baseURL + "/api/v1/flags/banner/state"
            #expect(try await HTTP.send("PUT", write, body: #"{"state": "DISABLED"}"#).status == 401)
            #expect(try await HTTP.send("PUT", write, headers: ["Authorization": "Bearer nope"], body: #"{"state": "DISABLED"}"#).status == 401)
            let bad = try await HTTP.send("PUT", write, headers: Fixture.admin, body: #"{"state": "OFF"}"#)
            #expect(bad.status == 400)
            #expect(try Fixture.json(bad.body)["field"] as? String == "state")
            let ok = try await HTTP.send("PUT", write, headers: Fixture.admin, body: #"{"state": "DISABLED", "comment": "checkout errors"}"#)
            #expect(ok.status == 200)
            #expect(try await evaluate(server, "banner")["reason"] as? String == "DISABLED")
            let audit = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/flags/banner/audit", headers: Fixture.admin).body)
            let entry = try #require((audit["entries"] as? [[String: Any]])?.first)
            #expect(entry["actor"] as? String == "tester (admin token)")
            #expect(entry["comment"] as? String == "checkout errors")
            #expect(entry["after"] as? String == "DISABLED")
        }
    }

    @Test func pinsWinOverTargetingButNotOverADisabledFlag() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let pins = server.baseURL + "/api/v1/flags/banner/pins"
            #expect(try await HTTP.send("PUT", pins, headers: Fixture.admin, body: #"{"subject": "user:ann", "variant": "off"}"#).status == 200)
            #expect(try await HTTP.send("PUT", pins, headers: Fixture.admin, body: #"{"subject": "team:qa", "variant": "on"}"#).status == 200)
            let ann = try await evaluate(server, "banner", #"{"targetingKey": "ann", "plan": "pro", "team": "qa"}"#)
            #expect(ann["variant"] as? String == "off", "the user's own pin beats targeting and the team pin")
            #expect(try await evaluate(server, "banner", #"{"targetingKey": "cy", "team": "qa"}"#)["variant"] as? String == "on")
            let unknown = try await HTTP.send("PUT", pins, headers: Fixture.admin, body: #"{"subject": "user:ann", "variant": "maybe"}"#)
            #expect(unknown.status == 400)
            #expect(unknown.body.contains("no variant 'maybe'"))
            #expect(try await HTTP.send("PUT", pins, headers: Fixture.admin, body: #"{"subject": "ann", "variant": "on"}"#).status == 400)
            _ = try await HTTP.send("PUT", server.baseURL + "/api/v1/flags/banner/state", headers: Fixture.admin, body: #"{"state": "DISABLED"}"#)
            #expect(try await evaluate(server, "banner", #"{"targetingKey": "ann"}"#)["reason"] as? String == "DISABLED")
            #expect(try await HTTP.send("DELETE", pins, headers: Fixture.admin, body: #"{"subject": "user:ann"}"#).status == 200)
        }
    }

    @Test func defaultVariantChangeAndUnknownFlag() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let reply = try await HTTP.send(
                "PUT", server.baseURL + "/api/v1/flags/headline/default-variant", headers: Fixture.admin, body: #"{"variant": "blue"}"#)
            #expect(reply.status == 200)
            #expect(try await evaluate(server, "headline")["value"] as? String == "blue")
            let missing = try await HTTP.send(
                "PUT", server.baseURL + "/api/v1/flags/ghost/state", headers: Fixture.admin, body: #"{"state": "DISABLED"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test func changesSurviveARestart() async throws {
        let config = try TestServer.temporaryDirectory()
        let data = try TestServer.temporaryDirectory()
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config, dataDirectory: data) { server async throws in
            _ = try await HTTP.send("PUT", server.baseURL + "/api/v1/flags/headline/state", headers: Fixture.admin, body: #"{"state": "DISABLED"}"#)
        }
        try await TestServer.run(flagFiles: [:], configDirectory: config, dataDirectory: data) { server async throws in
            #expect(try await evaluate(server, "headline")["reason"] as? String == "DISABLED")
        }
    }
}
