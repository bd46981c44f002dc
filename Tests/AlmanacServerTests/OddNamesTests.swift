import AlmanacRuntime
import AlmanacServer
import AlmanacTesting
import Foundation
import Testing

/// A check and an SLO named `a"b\c` (a quote and a backslash) work end to end: selectors are
/// built from values, never spliced from names, so the check's series carry the name exactly,
/// the SLO counts that check's runs, both pages answer, and the SLO's burn-rate alert fires
/// labelled with the name. (Services follow Backstage's name rules, which allow neither.)
@Suite struct OddNamesTests {
    static let name = #"a"b\c"#
    static let files = [
        "catalog/all.yaml": """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: team}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: search}
        spec: {type: service, lifecycle: production, owner: team}
        """,
        // Single quotes in YAML: the backslash is the name's own.
        "checks/odd.yaml": "checks:\n  - {name: 'a\"b\\c', entity: search, command: /bin/false, interval: 10s}\n",
        "slos/odd.yaml": "slos:\n  - {name: 'a\"b\\c', service: search, sli: {check: 'a\"b\\c'}, objective: 99%, window: 30d}\n",
    ]

    static func path(_ prefix: String) -> String {
        prefix + name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test func aQuoteAndABackslashInANameWorkEndToEnd() async throws {
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(Self.files, to: config)
        let time = DrivenClock()
        try await TestServer.run(flagFiles: [:], configDirectory: config, configure: { $0.clock = time.wall }) { server async throws in
            func get(_ path: String) async throws -> HTTP.Reply { try await HTTP.send("GET", server.baseURL + path, headers: Fixture.admin) }
            // Runs every 10 s, each one failing: the SLO's budget burns at 100 times its rate.
            let fired = try await time.advance(by: .seconds(5), upTo: .seconds(3600)) {
                let events = try Fixture.json(try await get("/api/v1/alerts/history?rule=ErrorBudgetBurn").body)["events"] as? [[String: Any]] ?? []
                // The history writes labels as PromQL quotes them.
                return events.contains { $0["event"] as? String == "fired" && ($0["labels"] as? String ?? "").contains(#"slo="a\"b\\c""#) }
            }
            #expect(fired, "the burn-rate alert fires, labelled with the SLO's name")

            let series = try Fixture.json(try await get("/api/v1/series?name=almanac_check_up").body)["series"] as? [[String: Any]] ?? []
            #expect(series.compactMap { ($0["labels"] as? [String: String])?["check"] } == [Self.name], "the check's series")

            let check = try await get(Self.path("/checks/"))
            #expect(check.status == 200 && check.body.contains("a&quot;b\\c"), "the check's page: \(check.status)")
            let checks = try await get("/checks")
            #expect(checks.body.contains("href=\"\(Self.path("/checks/"))\""), "the list links to it by its encoded name")

            let slo = try await get(Self.path("/slos/"))
            #expect(slo.status == 200 && slo.body.contains("a&quot;b\\c"), "the SLO's page: \(slo.status)")
            let statuses = try Fixture.json(try await get("/api/v1/slos").body)["slos"] as? [[String: Any]] ?? []
            let odd = try #require(statuses.first { $0["name"] as? String == Self.name })
            #expect(number(odd["total_events"]) ?? 0 > 0, "the SLO counts the check's runs: \(odd)")
        }
    }
}
