import AlmanacTesting
import Foundation
import Testing

/// Almanac scraping a real exporter over HTTP (another Almanac server's /metrics) and an
/// unreachable target, storing samples in compressed chunks on both backends.
@Suite struct ScrapeTests {
    func latest(_ server: TestServer, _ name: String, instance: String) async throws -> Double? {
        let list = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/series?name=\(name)", headers: Fixture.admin).body)
        guard let series = (list["series"] as? [[String: Any]])?.first(where: { ($0["labels"] as? [String: String])?["instance"] == instance }),
            let id = series["id"] as? Int
        else { return nil }
        let samples =
            try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/series/\(id)/samples", headers: Fixture.admin).body)["samples"]
            as? [[Any]]
        return (samples?.last?[1] as? NSNumber)?.doubleValue
    }

    @Test(arguments: Backend.allCases)
    func scrapesUpAndDownTargets(backend: Backend) async throws {
        let database = try await backend.database()
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { exporter async throws in
            _ = try await HTTP.send("POST", exporter.baseURL + "/ofrep/v1/evaluate/flags/headline")
            let config = try TestServer.temporaryDirectory()
            try TestServer.write(
                [
                    "monitoring/targets.yaml": """
                    jobs:
                      - job: almanac
                        targets: [127.0.0.1:\(exporter.port), 127.0.0.1:1]
                        labels: {service: flags, environment: test}
                        interval: 1s
                        timeout: 500ms
                    """
                ], to: config)
            try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config, databaseURL: database) { server async throws in
                let up = "127.0.0.1:\(exporter.port)"
                let down = "127.0.0.1:1"
                var seen: (Double?, Double?) = (nil, nil)
                for _ in 0..<40 {
                    seen = (try await latest(server, "up", instance: up), try await latest(server, "up", instance: down))
                    if seen.0 != nil && seen.1 != nil { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(seen.0 == 1)
                #expect(seen.1 == 0)
                let scraped = try #require(try await latest(server, "scrape_samples_scraped", instance: up))
                #expect(scraped > 0)
                let evaluations = try #require(try await latest(server, "almanac_flag_evaluations_total", instance: up))
                #expect(evaluations == 1)
                let list = try Fixture.json(
                    try await HTTP.send("GET", server.baseURL + "/api/v1/series?name=almanac_flag_evaluations_total", headers: Fixture.admin).body)
                let labels = try #require((list["series"] as? [[String: Any]])?.first?["labels"] as? [String: String])
                #expect(labels["job"] == "almanac" && labels["service"] == "flags" && labels["flag"] == "headline")
                // Chunks reach the database when full or at shutdown; a flush stands for the latter.
                try await server.server.seriesHeads.flush()
                let storage = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/storage", headers: Fixture.admin).body)
                #expect((storage["bytes_per_sample"] as? Double ?? 0) > 0)
            }
        }
    }
}
