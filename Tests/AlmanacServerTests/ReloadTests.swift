import AlmanacTesting
import Foundation
import Testing

/// Editing the files: a good edit serves within a poll, a bad edit is reported and the last good set keeps serving.
@Suite struct ReloadTests {
    func value(_ server: TestServer, _ key: String) async throws -> String? {
        try Fixture.json(try await HTTP.send("POST", server.baseURL + "/ofrep/v1/evaluate/flags/\(key)").body)["value"] as? String
    }

    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func badEditKeepsTheLastGoodSet() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let file = server.configDirectory + "/flags/app.yaml"
            try Fixture.flags.replacingOccurrences(of: "defaultVariant: red", with: "defaultVariant: purple").write(
                toFile: file, atomically: true, encoding: .utf8)
            #expect(try await eventually { !server.server.flags.reloadErrors.isEmpty })
            #expect(
                server.server.flags.reloadErrors == [
                    "flags/app.yaml:11: flags.headline.defaultVariant: unknown variant 'purple' (variants: blue, red)"
                ])
            #expect(try await value(server, "headline") == "red")
            let page = try await HTTP.send("GET", server.baseURL + "/flags", headers: Fixture.admin).body
            #expect(page.contains("unknown variant &#39;purple&#39;") || page.contains("unknown variant 'purple'"))
            try Fixture.flags.replacingOccurrences(of: "defaultVariant: red", with: "defaultVariant: blue").write(
                toFile: file, atomically: true, encoding: .utf8)
            #expect(try await eventually { try await value(server, "headline") == "blue" })
            #expect(server.server.flags.reloadErrors.isEmpty)
        }
    }
}
