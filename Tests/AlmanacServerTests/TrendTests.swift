import AlmanacMetrics
import AlmanacStorage
import AlmanacTesting
import Foundation
import Testing

/// The trends and thresholds pages and API over stored history, on both backends.
@Suite struct TrendPageTests {
    static let rules = """
        rules:
          - alert: DiskAlmostFull
            service: database
            series: node_filesystem_avail_bytes{mountpoint="/"}
            below: {warning: 100e9, critical: 50e9}
          - alert: ApiErrors
            service: api
            series: http_errors_total
            function: rate(5m)
            above: 5
        """

    static let trends = """
        trends:
          - series: images_bytes
            service: images
        """

    @Test(arguments: Backend.allCases)
    func trendsRankedWithCrossingsAndThresholdsListed(backend: Backend) async throws {
        let database = try await backend.database()
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(["monitoring/rules/disk.yaml": Self.rules, "monitoring/trends.yaml": Self.trends], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config, databaseURL: database) { server in
            // 20 days of hourly history: free space falls 10 GB a day to 200 GB; images grow 1 GB a day.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let heads = server.server.seriesHeads
            var rows: [(name: String, labels: [Label], sample: Sample)] = []
            for hour in stride(from: Int64(480), through: 0, by: -1) {
                let t = now - hour * 3_600_000
                let days = Double(hour) / 24
                rows.append(
                    (
                        "node_filesystem_avail_bytes", [Label("mountpoint", "/"), Label("service", "database")],
                        Sample(timestamp: t, value: 200e9 + 10e9 * days)
                    ))
                rows.append(("images_bytes", [Label("job", "images")], Sample(timestamp: t, value: 500e9 - 1e9 * days)))
            }
            try await heads.append(rows)

            let api = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/trends", headers: Fixture.admin).body)
            let trends = try #require(api["trends"] as? [[String: Any]])
            #expect(trends.map { $0["name"] as? String } == ["node_filesystem_avail_bytes", "images_bytes"])
            let disk = trends[0]
            #expect(abs((number(disk["per_day"]) ?? 0) + 10e9) < 0.1e9)
            #expect(number(disk["threshold"]) == 50e9 && disk["direction"] as? String == "below" && disk["service"] as? String == "database")
            let likely = try #require(number(disk["crossing_likely"]).map { Int64($0) })
            #expect(abs(Double(likely - now) / 86_400_000 - 15) < 1)
            #expect(abs((number(trends[1]["per_month"]) ?? 0) - 30e9) < 1e9)
            #expect(trends[1]["crossing_likely"] == nil)

            let page = try await HTTP.send("GET", server.baseURL + "/trends", headers: Fixture.admin).body
            #expect(page.contains("<table id=\"trends\">") && page.contains("<td>database</td>") && page.contains("<svg"))
            let sheet = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/thresholds", headers: Fixture.admin).body)
            let records = try #require(sheet["thresholds"] as? [[String: Any]])
            #expect(records.map { $0["rule"] as? String } == ["ApiErrors", "DiskAlmostFull"])
            #expect(number(records[1]["warning"]) == 100e9 && records[1]["defined_in"] as? String == "monitoring/rules/disk.yaml:2")
            let thresholds = try await HTTP.send("GET", server.baseURL + "/thresholds", headers: Fixture.admin).body
            #expect(thresholds.contains("<td>DiskAlmostFull</td>") && thresholds.contains("<td>rate(5m) &gt; level</td>"))
        }
    }
}
