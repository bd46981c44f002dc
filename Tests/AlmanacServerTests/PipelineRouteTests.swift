import AlmanacTesting
import Foundation
import Testing

/// QA states set through the API against a real git repository made here, and the deployable
/// revision the server computes from them.
@Suite struct PipelineRouteTests {
    @Test func deployableRevisionFollowsQA() async throws {
        let repository = try await GitFixture.repository()
        var made: [String] = []
        for (i, message) in ["Add search (#1)", "Faster images (#2)", "New product page (OFF-3)", "Fix typo"].enumerated() {
            made.append(try await GitFixture.commit(repository, author: "dev\(i)", message: message, files: ["file\(i).txt": "\(i)\n"]))
        }
        let hashes = made
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                commands: {deploy: "true", health: "http://{host}/health"}
                environments:
                  - {name: production, hosts: [app1, app2, app3], waves: [1, 100%]}
                """
            ], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server async throws in
            let url = server.baseURL + "/api/v1/pipeline/production"
            var status = try Fixture.json(try await HTTP.send("GET", url, headers: Fixture.admin).body)
            #expect(status["candidate"] as? String == hashes[3])
            #expect((status["revisions"] as? [[String: Any]])?.map { $0["issues"] as? [String] } == [["#1"], ["#2"], ["OFF-3"], []])
            #expect(status["deployable"] is NSNull && status["blocked_by"] as? String == hashes[0])

            func qa(_ hash: String, _ state: String, headers: [String: String] = Fixture.admin) async throws -> Int {
                try await HTTP.send(
                    "PUT", server.baseURL + "/api/v1/revisions/\(hash)/qa", headers: headers,
                    body: "{\"state\": \"\(state)\", \"comment\": \"checked\"}"
                ).status
            }
            #expect(try await qa(hashes[0], "ok") == 200)
            #expect(try await qa(hashes[1], "untestable") == 200)
            #expect(try await qa(hashes[2], "bad") == 200)
            #expect(try await qa(hashes[3], "ok") == 200)
            status = try Fixture.json(try await HTTP.send("GET", url, headers: Fixture.admin).body)
            #expect(status["deployable"] as? String == hashes[1])
            #expect(status["blocked_by"] as? String == hashes[2])
            #expect((status["reason"] as? String)?.hasSuffix("(OFF-3) is QA'd bad: New product page (OFF-3)") == true)

            #expect(try await qa(hashes[2], "ok") == 200)
            #expect(try Fixture.json(try await HTTP.send("GET", url, headers: Fixture.admin).body)["deployable"] as? String == hashes[3])

            #expect(try await qa(hashes[0], "ok", headers: ["Content-Type": "application/json"]) == 401)
            #expect(try await qa("abc", "ok") == 400)
            #expect(try await qa(hashes[0], "great") == 400)
            #expect(try await HTTP.send("GET", server.baseURL + "/api/v1/pipeline/nowhere", headers: Fixture.admin).status == 404)
        }
    }
}
