import AlmanacCatalog
import AlmanacConfig
import Testing

@testable import AlmanacChecks

@Suite struct CheckFileTests {
    static let entities: Set<EntityRef> = [EntityRef(kind: .component, name: "search"), EntityRef(kind: .resource, name: "products-db")]

    static func parse(_ yaml: String) throws -> [Check] {
        try CheckFile.parse(try ConfigDocument.parse(yaml, file: "checks/web.yaml"), entities: entities)
    }

    static func problem(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "parsed"
        } catch { return "\(error)" }
    }

    @Test func everyKindParses() throws {
        let checks = try Self.parse(
            """
            checks:
              - {name: home, entity: search, interval: 30s, http: {url: "https://search.example.org/", body: ok, latency: 2s, certificate_days: 14}}
              - {name: port, entity: resource:products-db, interval: 1m, attempts: 5, tcp: {host: db, port: 5432}}
              - {name: name, entity: search, interval: 5m, dns: {name: search.example.org, expect: 192.0.2.1}}
              - {name: plugin, entity: search, interval: 1m, host: db, command: "/usr/lib/nagios/plugins/check_tcp -H {host} -p 5432"}
              - {name: rows, entity: resource:products-db, interval: 5m, sql: {url_env: PRODUCTS_DB_URL, query: "select 1", expect: 1}}
            """)
        #expect(checks.map(\.kind) == ["http", "tcp", "dns", "command", "sql"])
        #expect(checks[0].attempts == 3 && checks[0].timeout == 10_000 && checks[0].flapHigh == 20)
        #expect(checks[3].probe == .command(arguments: ["/usr/lib/nagios/plugins/check_tcp", "-H", "db", "-p", "5432"]))
        #expect(checks[4].probe == .sql(urlVariable: "PRODUCTS_DB_URL", query: "select 1", expect: "1"))
        #expect(checks[1].entity.kind == .resource && checks[1].line == 3)
    }

    @Test func mistakesSayFileLineAndField() {
        #expect(Self.problem("checks:\n  - {name: a, entity: ghost, interval: 1m, tcp: {host: h, port: 1}}\n").contains("checks/web.yaml:2"))
        #expect(Self.problem("checks:\n  - {name: a, entity: ghost, interval: 1m, tcp: {host: h, port: 1}}\n").contains("unknown entity 'ghost'"))
        #expect(Self.problem("checks:\n  - {name: a, entity: search, tcp: {host: h, port: 1}}\n").contains("missing 'interval'"))
        let placeholder = Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, command: \"/bin/check -H {hots}\"}\n")
        #expect(placeholder.contains("unknown placeholder '{hots}'") && placeholder.contains("checks/web.yaml:2"))
        #expect(
            Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, command: \"/bin/check -H {host}\"}\n").contains(
                "needs the check's 'host'"))
        #expect(
            Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, tcp: {host: h, port: 1}, http: {url: http://x}}\n").contains(
                "exactly one"))
        #expect(Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, command: check_tcp}\n").contains("absolute path"))
        #expect(
            Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, flapping: {low: 30, high: 20}, tcp: {host: h, port: 1}}\n").contains(
                "low < high"))
        #expect(Self.problem("checks:\n  - {name: a, entity: search, interval: 1m, sql: {query: x}}\n").contains("url_env"))
    }
}
