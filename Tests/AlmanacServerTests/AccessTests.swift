import AlmanacServer
import AlmanacTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The access policy as README.md states it: every registered route is in the table, and each
/// answers each kind of caller (nobody, a client key, a signed-in admin, an admin token) as its
/// level says.
@Suite struct AccessTests {
    enum Caller: String, CaseIterable {
        case nobody, client
        case signedIn = "signed in"
        case admin
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

    /// Whether `level` lets `caller` in.
    static func allows(_ level: AccessLevel, _ caller: Caller) -> Bool {
        switch level {
        case .open: return true
        case .client: return caller == .client || caller == .admin
        case .pinWriter: return caller != .nobody
        case .admin, .signedIn: return caller == .signedIn || caller == .admin
        }
    }

    /// A concrete URL path for a route's pattern.
    static func path(_ pattern: String) -> String {
        let values = [
            "{key}": "banner", "{id}": "1", "{environment}": "production", "{action}": "pause", "{hash}": String(repeating: "0", count: 40),
            "{kind}": "component", "{name}": "nothing", "{inner}": "nothing", "**": "nothing",
        ]
        return pattern.split(separator: "/", omittingEmptySubsequences: false).map { values[String($0)] ?? String($0) }.joined(separator: "/")
    }

    @Test func everyRouteAnswersEachCallerAsTheReadmeSays() async throws {
        let table = try Self.table()
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configure: { $0.clientKeys = ["client-key": "app"] }) {
            server async throws in
            let routes = server.server.router().routes.map { "\($0.method) \($0.path)" }
            #expect(
                Set(routes) == Set(table.keys), "README's access table and the router differ: \(Set(routes).symmetricDifference(table.keys).sorted())"
            )
            let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let cookie = try await Self.signIn(client, server)
            let credentials: [Caller: (String, String)] = [
                .client: ("Authorization", "Bearer client-key"), .signedIn: ("Cookie", cookie), .admin: ("Authorization", "Bearer admin-secret"),
            ]
            for route in routes.sorted() {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let level = try #require(table[route])
                for caller in Caller.allCases {
                    var request = HTTPClientRequest(url: server.baseURL + Self.path(parts[1]))
                    request.method = .init(rawValue: parts[0])
                    if let (name, value) = credentials[caller] { request.headers.add(name: name, value: value) }
                    if route == "POST /login" { request.body = .bytes(ByteBuffer(string: "token=admin-secret")) }
                    let response = try await client.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 22)
                    let toLogin = response.status == .seeOther && response.headers.first(name: "Location") == "/login"
                    let refused = response.status == .unauthorized || response.status == .forbidden || toLogin
                    #expect(
                        refused != Self.allows(level, caller),
                        "\(route) as \(caller.rawValue): \(response.status.code), README says \(level.rawValue)")
                }
            }
        }
    }

    /// The session cookie a browser gets by signing in with the admin token.
    static func signIn(_ client: HTTPClient, _ server: TestServer) async throws -> String {
        var request = HTTPClientRequest(url: server.baseURL + "/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "token=admin-secret&name=Ann"))
        let response = try await client.execute(request, timeout: .seconds(10))
        let cookie = try #require(response.headers.first(name: "Set-Cookie")?.split(separator: ";").first)
        return String(cookie)
    }
}
