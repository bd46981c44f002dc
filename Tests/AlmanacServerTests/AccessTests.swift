import AlmanacServer
import AlmanacTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The access policy as README.md states it: every registered route is in the table, and each
/// answers each kind of caller (nobody, a client key, tokens of each role and scope, a signed-in
/// admin) as its level says.
@Suite struct AccessTests {
    enum Caller: String, CaseIterable {
        case nobody, client, viewer
        case teamOperator = "operator of team-web"
        case stagingOperator = "operator of staging"
        case `operator`, admin
        case session = "signed-in admin"
    }

    /// `METHOD /path` → level, from the README's access table.
    static func table() throws -> [String: AccessLevel] {
        let readme = try String(contentsOfFile: #filePath.components(separatedBy: "/Tests/")[0] + "/README.md", encoding: .utf8)
        let section = try #require(
            readme.components(separatedBy: "### Access\n").dropFirst().first?.components(separatedBy: "\n\n").dropFirst().first)
        var table: [String: AccessLevel] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let level = try #require(AccessLevel(rawValue: cells[1]), "unknown level in README: \(line)")
            for route in cells[0].components(separatedBy: ", ") { table[route.trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = level }
        }
        return table
    }

    /// Whether `level` lets `caller` in, on the paths below: flag `banner` of team-web, environment production.
    static func allows(_ level: AccessLevel, _ caller: Caller) -> Bool {
        let people: Set<Caller> = [.viewer, .teamOperator, .stagingOperator, .operator, .admin, .session]
        switch level {
        case .open: return true
        case .client: return caller != .nobody
        case .viewer: return people.contains(caller)
        case .pinWriter: return [.client, .teamOperator, .operator, .admin, .session].contains(caller)
        case .teamOperator: return [.teamOperator, .operator, .admin, .session].contains(caller)
        case .operator, .environmentOperator: return [.operator, .admin, .session].contains(caller)
        case .admin: return [.admin, .session].contains(caller)
        }
    }

    /// A concrete URL path for a route's pattern.
    static func path(_ pattern: String) -> String {
        let values = [
            "{key}": "banner", "{id}": "999999", "{environment}": "production", "{action}": "pause", "{hash}": String(repeating: "0", count: 40),
            "{kind}": "component", "{name}": "nothing", "{inner}": "nothing", "**": "nothing",
        ]
        return pattern.split(separator: "/", omittingEmptySubsequences: false).map { values[String($0)] ?? String($0) }.joined(separator: "/")
    }

    static let flags = Fixture.flags.replacingOccurrences(of: "  banner:\n", with: "  banner:\n    owner: team-web\n")

    @Test func everyRouteAnswersEachCallerAsTheReadmeSays() async throws {
        let table = try Self.table()
        try await TestServer.run(flagFiles: ["app.yaml": Self.flags], configure: { $0.clientKeys = ["client-key": "app"] }) { server async throws in
            let routes = server.server.router().routes.map { "\($0.method) \($0.path)" }
            #expect(
                Set(routes) == Set(table.keys), "README's access table and the router differ: \(Set(routes).symmetricDifference(table.keys).sorted())"
            )
            let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            var credentials: [Caller: (String, String)] = [
                .client: ("Authorization", "Bearer client-key"), .admin: ("Authorization", "Bearer admin-secret"),
                .session: ("Cookie", try await Self.signIn(client, server)),
            ]
            let tokens: [Caller: String] = [
                .viewer: #"{"name": "v", "role": "viewer"}"#, .teamOperator: #"{"name": "t", "role": "operator", "teams": ["team-web"]}"#,
                .stagingOperator: #"{"name": "s", "role": "operator", "environments": ["staging"]}"#,
                .operator: #"{"name": "o", "role": "operator"}"#,
            ]
            for (caller, body) in tokens {
                credentials[caller] = ("Authorization", "Bearer " + (try await Self.token(server, body)))
            }
            for route in routes.sorted() {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let level = try #require(table[route])
                // A made-up secret counts as a failed credential of the address: once is enough to
                // see the route public, and more would throttle every caller after it.
                for caller in Caller.allCases where !route.contains("{secret}") || caller == .nobody {
                    var request = HTTPClientRequest(url: server.baseURL + Self.path(parts[1]))
                    request.method = .init(rawValue: parts[0])
                    if let (name, value) = credentials[caller] { request.headers.add(name: name, value: value) }
                    if route == "POST /login" { request.body = .bytes(ByteBuffer(string: "token=admin-secret")) }
                    let response = try await client.execute(request, timeout: .seconds(10))
                    // The change stream never ends: its head says enough.
                    let streaming = response.headers.first(name: "Content-Type") == "text/event-stream"
                    let body = streaming ? "" : String(buffer: try await response.body.collect(upTo: 1 << 22))
                    let toLogin = response.status == .seeOther && response.headers.first(name: "Location")?.hasPrefix("/login?") == true
                    // A secret in the path is its own credential: the handler, not access, refuses a made-up one.
                    let secretRefused = route.contains("{secret}") && body == "not a calendar link\n"
                    let refused = (response.status == .unauthorized && !secretRefused) || response.status == .forbidden || toLogin
                    #expect(
                        refused != Self.allows(level, caller),
                        "\(route) as \(caller.rawValue): \(response.status.code), README says \(level.rawValue)")
                    if route == "POST /logout" && caller == .session { credentials[.session] = ("Cookie", try await Self.signIn(client, server)) }
                }
            }
        }
    }

    /// With no access.yaml a fresh start shows anonymous visitors nothing but health, metrics
    /// and OFREP: pages send them to sign in, the API answers 401.
    @Test func aFreshStartIsPrivate() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server in
            let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            for path in ["/", "/catalog", "/alerts", "/series", "/pipeline", "/docs", "/flags", "/checks", "/costs"] {
                let response = try await client.execute(HTTPClientRequest(url: server.baseURL + path), timeout: .seconds(10))
                #expect(
                    response.status == .seeOther
                        && response.headers.first(name: "Location") == "/login?next=" + path.replacingOccurrences(of: "/", with: "%2F"), "\(path)")
            }
            for path in ["/api/v1/flags", "/api/v1/series", "/api/v1/alerts/history", "/api/v1/drift", "/api/v1/checks", "/api/openapi.json"] {
                let response = try await client.execute(HTTPClientRequest(url: server.baseURL + path), timeout: .seconds(10))
                #expect(response.status == .unauthorized, "\(path)")
            }
            for path in ["/healthz", "/readyz", "/metrics", "/ofrep/v1/configuration"] {
                let response = try await client.execute(HTTPClientRequest(url: server.baseURL + path), timeout: .seconds(10))
                #expect(response.status == .ok, "\(path)")
            }
        }
    }

    /// access.yaml opens paths to anonymous visitors, and can close /metrics.
    @Test func accessYamlOpensChosenPaths() async throws {
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(["access.yaml": "public: [/docs, /catalog]\nmetrics: private\n"], to: config)
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configDirectory: config) { server in
            let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let answers: [(String, UInt)] = [("/docs", 200), ("/catalog/report", 200), ("/metrics", 303), ("/alerts", 303), ("/api/v1/series", 401)]
            for (path, status) in answers {
                let response = try await client.execute(HTTPClientRequest(url: server.baseURL + path), timeout: .seconds(10))
                #expect(response.status.code == status, "\(path)")
            }
        }
    }

    /// Named tokens: made by an admin (the secret shown once), stored hashed, listed, revoked.
    @Test func apiTokensAreMadeListedAndRevoked() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Self.flags]) { server in
            let secret = try await Self.token(server, #"{"name": "deploy bot", "role": "operator", "environments": ["staging"], "days": 30}"#)
            let bearer = ["Authorization": "Bearer " + secret]
            let me = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/whoami", headers: bearer).body)
            #expect(me["name"] as? String == "deploy bot" && me["method"] as? String == "API token" && me["role"] as? String == "operator")
            #expect(me["grants"] as? [String] == ["operator in staging"])
            let listed = try Fixture.json(try await HTTP.send("GET", server.baseURL + "/api/v1/tokens", headers: Fixture.admin).body)
            let row = try #require((listed["tokens"] as? [[String: Any]])?.first)
            #expect(row["name"] as? String == "deploy bot" && row["created_by"] as? String == "tester (admin token)")
            #expect(!String(describing: listed).contains(secret), "the secret is never listed")
            for file in ["almanac.sqlite", "almanac.sqlite-wal"] {
                let stored = (try? String(contentsOfFile: server.dataDirectory + "/" + file, encoding: .isoLatin1)) ?? ""
                #expect(!stored.contains(secret), "only the hash is stored")
            }
            let flip = try await HTTP.send(
                "PUT", server.baseURL + "/api/v1/flags/banner/state", headers: bearer, body: #"{"state": "DISABLED", "comment": "no"}"#)
            #expect(flip.status == 403 && flip.body.contains("team-web"), "a staging release token is not the flag's team")
            let id = try #require(row["id"] as? Int)
            #expect(try await HTTP.send("DELETE", server.baseURL + "/api/v1/tokens/\(id)", headers: Fixture.admin).status == 200)
            #expect(try await HTTP.send("GET", server.baseURL + "/api/v1/whoami", headers: bearer).status == 401)
            let bad = try await HTTP.send("POST", server.baseURL + "/api/v1/tokens", headers: Fixture.admin, body: #"{"name": "x", "role": "root"}"#)
            #expect(bad.status == 400 && bad.body.contains(#""field":"role""#))
        }
    }

    /// The session cookie a browser gets by signing in with the admin token.
    static func signIn(_ client: HTTPClient, _ server: TestServer) async throws -> String {
        var request = HTTPClientRequest(url: server.baseURL + "/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "token=admin-secret&name=Ann"))
        let response = try await client.execute(request, timeout: .seconds(10))
        let cookie = try #require(response.headers["Set-Cookie"].first { $0.hasPrefix("almanac_session=") }?.split(separator: ";").first)
        return String(cookie)
    }

    /// A new API token's secret, made with the admin token.
    static func token(_ server: TestServer, _ body: String) async throws -> String {
        let reply = try await HTTP.send("POST", server.baseURL + "/api/v1/tokens", headers: Fixture.admin, body: body)
        return try #require(try Fixture.json(reply.body)["token"] as? String, "\(reply.status) \(reply.body)")
    }
}
