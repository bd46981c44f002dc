import AlmanacRuntime
import AlmanacServer
import AlmanacTesting
import AsyncHTTPClient
import Clocks
import Foundation
import NIOCore
import Testing

/// Signing in through an OpenID provider over real HTTP: the code flow with PKCE, state and
/// nonce, and ID tokens the test signs itself, good and bad.
@Suite struct SignInTests {
    /// The server's and the provider's time: the key refetch interval passes without a wait.
    let clock: TestClock<Duration>
    let wall: WallClock

    init() {
        clock = TestClock()
        wall = .following(clock, from: WallClock.system.milliseconds())
    }

    struct Browser {
        let client: HTTPClient
        let server: TestServer
        var cookies: [String: String] = [:]

        mutating func get(_ url: String) async throws -> (status: UInt, location: String?, body: String) {
            var request = HTTPClientRequest(url: url.hasPrefix("http") ? url : server.baseURL + url)
            let here = url.hasPrefix(server.baseURL) || !url.hasPrefix("http")
            if here && !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0)=\($1)" }.joined(separator: "; ")) }
            let response = try await client.execute(request, timeout: .seconds(10))
            if here {
                for line in response.headers["Set-Cookie"] {
                    let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                    cookies[pair[0]] = pair.count > 1 && !pair[1].isEmpty && !line.contains("Max-Age=0") ? pair[1] : nil
                }
            }
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return (response.status.code, response.headers.first(name: "Location"), body)
        }

        /// Signs in through the provider; the callback's answer.
        mutating func signIn(next: String = "/flags") async throws -> (status: UInt, location: String?, body: String, callback: String) {
            let start = try await get("/auth/signin?next=" + next)
            let authorize = try #require(start.location, "\(start.status) \(start.body)")
            let back = try await get(authorize)
            let callback = try #require(back.location)
            let answer = try await get(callback)
            return (answer.status, answer.location, answer.body, callback)
        }
    }

    static let catalog = """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: team-web}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: User
        metadata: {name: ann}
        spec: {memberOf: [team-web], profile: {email: ann@example.org}}
        """

    static func access(_ issuer: String) -> String {
        """
        issuer: \(issuer)
        client_id: almanac
        client_secret_env: ALMANAC_OIDC_SECRET
        grants:
          - {claim: almanac-admins, role: admin}
          - {claim: volunteers, role: viewer}
        teams: operator
        """
    }

    func withSignIn(_ body: @Sendable (TestProvider, inout Browser) async throws -> Void) async throws {
        let provider = try TestProvider(kids: ["a", "b"], clock: wall)
        try await provider.run { provider in
            let config = try TestServer.temporaryDirectory()
            try TestServer.write(["access.yaml": Self.access(provider.issuer), "catalog/people.yaml": Self.catalog], to: config)
            try await TestServer.run(
                flagFiles: ["app.yaml": AccessTests.flags], configDirectory: config,
                configure: {
                    $0.environmentVariables = ["ALMANAC_OIDC_SECRET": "s3cret"]
                    $0.keyRefetchSeconds = 3
                    $0.clock = wall
                }
            ) { server in
                let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
                defer { _ = client.shutdown() }
                var browser = Browser(client: client, server: server)
                try await body(provider, &browser)
            }
        }
    }

    @Test func signInGivesASessionWithRolesFromClaimsAndTeams() async throws {
        try await withSignIn { provider, browser in
            provider.answer { nonce in
                (try? provider.token(
                    provider.claims(
                        subject: "u-17", nonce: nonce, extra: ["name": "Ann Lee", "preferred_username": "ann", "groups": ["/volunteers"]]),
                    .rs256("a"))) ?? ""
            }
            let answer = try await browser.signIn(next: "/flags")
            #expect(answer.status == 303 && answer.location == "/flags", "\(answer.body)")
            #expect(browser.cookies["almanac_session"] != nil && browser.cookies["almanac_signin"] == nil)
            let me = try Fixture.json(try await browser.get("/api/v1/whoami").body)
            #expect(me["name"] as? String == "Ann Lee" && me["subject"] as? String == "u-17" && me["method"] as? String == "OpenID Connect")
            #expect(me["grants"] as? [String] == ["viewer", "operator in no environment of team-web"])
            // The same state again is refused: a state works once.
            #expect(try await browser.get(answer.callback).status == 400)
            // Ann may flip her team's flag; the page names her in the audit log.
            #expect(try await browser.get("/flags").status == 200)
            let signedOut = try await browser.client.execute(
                {
                    var request = HTTPClientRequest(url: browser.server.baseURL + "/logout")
                    request.method = .POST
                    request.headers.add(name: "Cookie", value: "almanac_session=\(browser.cookies["almanac_session"] ?? "")")
                    return request
                }(), timeout: .seconds(10))
            let logout = try #require(signedOut.headers.first(name: "Location"))
            #expect(logout.hasPrefix(provider.issuer + "/logout?client_id=almanac&post_logout_redirect_uri=") && logout.contains("id_token_hint="))
            #expect(try await browser.get("/api/v1/whoami").status == 401, "the session ended")
        }
    }

    @Test func badTokensAreRefusedAndSayWhy() async throws {
        try await withSignIn { provider, browser in
            typealias Case = (name: String, make: @Sendable (String) throws -> String, says: String)
            let cases: [Case] = [
                (
                    "wrong audience", { try provider.token(provider.claims(subject: "x", nonce: $0, extra: ["aud": "grafana"]), .rs256("a")) },
                    "not for this client"
                ),
                (
                    "wrong issuer",
                    { try provider.token(provider.claims(subject: "x", nonce: $0, extra: ["iss": "http://127.0.0.1:1"]), .rs256("a")) }, "issuer"
                ),
                (
                    "expired",
                    {
                        let now = Int(Date().timeIntervalSince1970)
                        return try provider.token(provider.claims(subject: "x", nonce: $0, extra: ["exp": now - 120, "iat": now - 400]), .rs256("a"))
                    }, "expired"
                ),
                ("alg none", { try provider.token(provider.claims(subject: "x", nonce: $0), .none(kid: "a")) }, "algorithm none"),
                (
                    "HS256 keyed with the public key", { try provider.token(provider.claims(subject: "x", nonce: $0), .hs256WithPublicKeyOf("a")) },
                    "HS256"
                ),
                ("wrong nonce", { _ in try provider.token(provider.claims(subject: "x", nonce: "another"), .rs256("a")) }, "nonce"),
                (
                    "bad signature",
                    { nonce in
                        let good = try provider.token(provider.claims(subject: "x", nonce: nonce), .rs256("a"))
                        return String(good.dropLast(4)) + (good.hasSuffix("AAAA") ? "BBBB" : "AAAA")
                    }, "signature"
                ),
            ]
            for item in cases {
                provider.answer { nonce in (try? item.make(nonce)) ?? "" }
                let answer = try await browser.signIn()
                #expect(answer.status == 403 && answer.body.contains(item.says), "\(item.name): \(answer.status) \(answer.body)")
                #expect(browser.cookies["almanac_session"] == nil, "\(item.name) gave no session")
            }
        }
    }

    @Test func anUnknownKeyIsFetchedOnceThenARotatedKeyIsAccepted() async throws {
        try await withSignIn { provider, browser in
            provider.answer { nonce in (try? provider.token(provider.claims(subject: "ann", nonce: nonce), .rs256("a"))) ?? "" }
            var answer = try await browser.signIn()
            #expect(answer.status == 303 && provider.jwksFetches == 1, "the keys are fetched and kept")
            await clock.advance(by: .milliseconds(3100))
            // A token naming key "b", which the kept keys lack: one more fetch, no "b" there either, refused.
            provider.answer { nonce in (try? provider.token(provider.claims(subject: "ann", nonce: nonce), .rs256("b"))) ?? "" }
            answer = try await browser.signIn()
            #expect(answer.status == 403 && answer.body.contains("key b"), "\(answer.body)")
            #expect(provider.jwksFetches == 2)
            // At once again: the keys were just fetched, so they are not fetched again (rate-limited).
            answer = try await browser.signIn()
            #expect(answer.status == 403 && provider.jwksFetches == 2)
            // The provider rotates to "b"; once the refetch interval passed, a token signed with it is accepted.
            provider.publish(["b"])
            await clock.advance(by: .milliseconds(3100))
            answer = try await browser.signIn()
            #expect(answer.status == 303 && provider.jwksFetches == 3, "\(answer.body)")
        }
    }

    @Test func aStateFromAnotherBrowserIsRefused() async throws {
        try await withSignIn { provider, browser in
            provider.answer { nonce in (try? provider.token(provider.claims(subject: "ann", nonce: nonce), .rs256("a"))) ?? "" }
            let start = try await browser.get("/auth/signin")
            let back = try await browser.get(try #require(start.location))
            var other = Browser(client: browser.client, server: browser.server)
            let answer = try await other.get(try #require(back.location))
            #expect(answer.status == 400 && answer.body.contains("start again"))
            #expect(provider.exchanges == 0, "no code is traded for a state that is not the browser's")
        }
    }

    /// A state is good once: the same callback replayed after a sign-in is refused, and no code is traded again.
    @Test func aReplayedStateIsRefused() async throws {
        try await withSignIn { provider, browser in
            provider.answer { nonce in (try? provider.token(provider.claims(subject: "ann", nonce: nonce), .rs256("a"))) ?? "" }
            let start = try await browser.get("/auth/signin")
            let back = try await browser.get(try #require(start.location))
            let callback = try #require(back.location)
            let first = try await browser.get(callback)
            #expect(first.status == 303 && provider.exchanges == 1, "\(first.status) \(first.body)")
            let replayed = try await browser.get(callback)
            #expect(replayed.status == 400 && replayed.body.contains("start again"), "\(replayed.status) \(replayed.body)")
            #expect(provider.exchanges == 1, "the replayed code is not traded again")
        }
    }
}
