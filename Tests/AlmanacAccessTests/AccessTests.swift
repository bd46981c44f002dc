import AlmanacConfig
import Testing

@testable import AlmanacAccess

@Suite struct AccessPolicyTests {
    /// RFC 7636, Appendix B: the verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk gives the
    /// S256 challenge E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM.
    @Test func pkceS256MatchesTheRFCsExample() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        var generator = SystemRandomNumberGenerator()
        let verifier = PKCE.verifier(using: &generator)
        #expect(verifier.count == 43 && verifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    /// OpenID Connect Core §3.1.3.7, one rule at a time.
    @Test func idTokenClaimsAreCheckedAsTheSpecificationSays() {
        let good = IDTokenClaims(
            issuer: "https://id.example.org/realms/off", subject: "u1", audiences: ["almanac"], expires: 1000, issuedAt: 900, nonce: "n1")
        func refusal(_ claims: IDTokenClaims, now: Int64 = 950) -> IDTokenClaims.Refusal? {
            do {
                try claims.check(issuer: "https://id.example.org/realms/off", client: "almanac", nonce: "n1", now: now)
                return nil
            } catch { return error }
        }
        #expect(refusal(good) == nil)
        var other = good
        other.issuer = "https://id.example.org/realms/off/"
        #expect(refusal(other) == .issuer(expected: "https://id.example.org/realms/off", got: "https://id.example.org/realms/off/"), "exactly")
        other = good
        other.audiences = ["grafana"]
        #expect(refusal(other) == .audience(client: "almanac"))
        other.audiences = ["almanac", "grafana"]
        #expect(refusal(other) == .authorizedParty(client: "almanac", got: nil), "several audiences need azp")
        other.authorizedParty = "almanac"
        #expect(refusal(other) == nil)
        #expect(refusal(good, now: 1059) == nil && refusal(good, now: 1061) == .expired(secondsAgo: 61), "60 s of leeway")
        other = good
        other.issuedAt = 1100
        #expect(refusal(other) == .issuedInTheFuture(seconds: 150))
        other = good
        other.nonce = nil
        #expect(refusal(other) == .nonce)
    }

    @Test func rolesNarrowToEnvironmentsAndTeams() throws {
        let policy = try AccessFile.parse(
            try ConfigDocument.parse(
                """
                issuer: https://id.example.org/realms/off
                client_id: almanac
                client_secret_env: ALMANAC_OIDC_SECRET
                public: [/status]
                grants:
                  - {claim: almanac-admins, role: admin}
                  - {claim: volunteers, role: viewer}
                  - {claim: release-staging, role: operator, environments: [staging]}
                teams: operator
                """, file: "access.yaml"))
        let volunteer = policy.grants(claims: ["volunteers"], teams: ["search-team"])
        #expect(AccessPolicy.allows(volunteer, .read))
        #expect(AccessPolicy.allows(volunteer, .changeFlag(team: "search-team")), "their own team's flags")
        #expect(!AccessPolicy.allows(volunteer, .changeFlag(team: "images-team")) && !AccessPolicy.allows(volunteer, .changeFlag(team: nil)))
        #expect(!AccessPolicy.allows(volunteer, .rollout(environment: "staging")), "a team role is not a release role")
        let releaser = policy.grants(claims: ["release-staging"], teams: [])
        #expect(
            AccessPolicy.allows(releaser, .rollout(environment: "staging")) && !AccessPolicy.allows(releaser, .rollout(environment: "production")))
        #expect(!AccessPolicy.allows(releaser, .administer))
        let admin = policy.grants(claims: ["almanac-admins"], teams: [])
        #expect(AccessPolicy.allows(admin, .rollout(environment: "production")) && AccessPolicy.allows(admin, .administer))
        #expect(!AccessPolicy.allows(policy.grants(claims: ["strangers"], teams: []), .read), "no grant, no access")
    }

    @Test func mistakesSayWhere() {
        func problem(_ yaml: String) -> String {
            do {
                _ = try AccessFile.parse(try ConfigDocument.parse(yaml, file: "access.yaml"))
                return "parsed"
            } catch { return "\(error)" }
        }
        let base = "issuer: https://id.example.org\nclient_id: almanac\nclient_secret_env: S\n"
        #expect(problem("issuer: http://id.example.org\nclient_id: a\nclient_secret_env: S\n").contains("https://"))
        #expect(problem("issuer: https://id.example.org\nclient_id: almanac\n").contains("client_secret_env"))
        #expect(problem(base + "grants:\n  - {claim: x, role: superuser}\n").contains("access.yaml:5"))
        #expect(problem(base + "grants:\n  - {claim: x, role: superuser}\n").contains("viewer, operator or admin"))
        #expect(problem(base + "public: [status]\n").contains("a path"))
    }
}
