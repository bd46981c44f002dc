import AlmanacConfig

/// Who may do what: roles granted to the names a provider puts in its claims (Keycloak's realm
/// and client roles, a `groups` claim), narrowed to environments or teams; members of a
/// catalogue team may change that team's flags. Read from `access.yaml`.
public struct AccessPolicy: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
        case viewer, `operator`, admin
        public static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public struct Grant: Sendable, Hashable, Codable {
        public var role: Role
        /// nil: every environment.
        public var environments: Set<String>?
        /// nil: every team.
        public var teams: Set<String>?

        public init(role: Role, environments: Set<String>? = nil, teams: Set<String>? = nil) {
            self.role = role
            self.environments = environments
            self.teams = teams
        }

        /// How the grant reads on pages: `operator (staging)`, `operator of team-web`.
        public var summary: String {
            var text = role.rawValue
            if let environments { text += " in " + (environments.isEmpty ? "no environment" : environments.sorted().joined(separator: ", ")) }
            if let teams { text += " of " + teams.sorted().joined(separator: ", ") }
            return text
        }
    }

    /// The OpenID provider people sign in with.
    public struct Provider: Sendable, Hashable {
        public var issuer: String
        public var clientID: String
        /// The environment variable holding the client secret, kept out of the repository.
        public var clientSecretVariable: String
    }

    /// What a request wants to do, as the one authorisation check sees it.
    public enum Action: Sendable, Hashable {
        case read
        /// A flag's state, default variant and pins: the flag's owning team.
        case changeFlag(team: String?)
        case rollout(environment: String)
        /// Acknowledgements, silences, QA verdicts, restore drills: the team that owns the thing, when known.
        case operate(team: String?)
        case administer
    }

    /// Everything: the bootstrap admin token's grant.
    public static let everything = [Grant(role: .admin)]

    /// nil: no sign-in through a provider, only tokens.
    public var provider: Provider?
    /// Paths anonymous visitors may see besides health, readiness, metrics and OFREP.
    public var publicPaths: [String]
    public var grants: [String: [Grant]]
    /// The role a catalogue team's members have over that team's flags; nil for none.
    public var teamRole: Role?
    /// `/metrics` is open to scrapers unless `metrics: private`.
    public var metricsPublic: Bool

    public init(
        provider: Provider? = nil, publicPaths: [String] = [], grants: [String: [Grant]] = [:], teamRole: Role? = nil, metricsPublic: Bool = true
    ) {
        self.provider = provider
        self.publicPaths = publicPaths
        self.grants = grants
        self.teamRole = teamRole
        self.metricsPublic = metricsPublic
    }

    /// Whether anonymous visitors may see `path`: a listed path and what lies under it.
    public func isPublic(_ path: String) -> Bool {
        if path == "/metrics" { return metricsPublic }
        return publicPaths.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    /// The grants of a person: those of every claim value they carry, and their teams'.
    public func grants(claims: [String], teams: [String]) -> [Grant] {
        claims.flatMap { grants[$0] ?? [] } + (teamRole.map { role in teams.map { Grant(role: role, environments: [], teams: [$0]) } } ?? [])
    }

    /// The one decision every write goes through.
    public static func allows(_ grants: [Grant], _ action: Action) -> Bool {
        grants.contains { grant in
            switch action {
            case .read: return true
            case .administer: return grant.role == .admin
            case .changeFlag(let team), .operate(let team):
                // A grant narrowed to environments is a release grant, not a team's.
                guard grant.role >= .operator else { return false }
                if grant.role == .admin { return true }
                guard let teams = grant.teams else { return grant.environments == nil }
                return team.map(teams.contains) ?? false
            case .rollout(let environment):
                guard grant.role >= .operator, grant.teams == nil || grant.role == .admin else { return false }
                return grant.environments?.contains(environment) ?? true
            }
        }
    }
}

public enum AccessFile {
    public static let path = "access.yaml"

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> AccessPolicy {
        try root.onlyFields(["issuer", "client_id", "client_secret_env", "public", "grants", "teams", "metrics"])
        var metricsPublic = true
        if let node = root["metrics"] {
            guard let value = node.string, value == "public" || value == "private" else { throw node.error("must be public or private") }
            metricsPublic = value == "public"
        }
        let provider = try root["issuer"] == nil && root["client_id"] == nil ? nil : self.provider(root)
        var publicPaths: [String] = []
        for node in root["public"]?.elements ?? [] {
            guard let path = node.string, path.hasPrefix("/") else { throw node.error("must be a path such as /status") }
            publicPaths.append(path)
        }
        var grants: [String: [AccessPolicy.Grant]] = [:]
        for item in root["grants"]?.elements ?? [] {
            try item.onlyFields(["claim", "role", "environments", "teams"])
            guard let claim = item["claim"]?.string, !claim.isEmpty else {
                throw item.error("needs 'claim' (a role or group name the provider sends)")
            }
            let role = try self.role(item["role"], in: item)
            let environments = item["environments"].map { Set(($0.elements ?? []).compactMap(\.string)) }
            let teams = item["teams"].map { Set(($0.elements ?? []).compactMap(\.string)) }
            grants[claim, default: []].append(.init(role: role, environments: environments, teams: teams))
        }
        let teamRole = try root["teams"].map { node throws(ConfigError) in try role(node, in: root) }
        return AccessPolicy(provider: provider, publicPaths: publicPaths, grants: grants, teamRole: teamRole, metricsPublic: metricsPublic)
    }

    static func provider(_ root: ConfigNode) throws(ConfigError) -> AccessPolicy.Provider {
        guard let issuer = root["issuer"]?.string,
            issuer.hasPrefix("https://") || issuer.hasPrefix("http://127.0.0.1") || issuer.hasPrefix("http://localhost")
        else {
            throw (root["issuer"] ?? root).error("needs 'issuer', an https:// URL (http only on this machine, for tests)")
        }
        guard let client = root["client_id"]?.string, !client.isEmpty else { throw root.error("needs 'client_id'") }
        guard let secret = root["client_secret_env"]?.string, !secret.isEmpty else {
            throw root.error("needs 'client_secret_env' (the environment variable holding the client secret, kept out of the repository)")
        }
        return AccessPolicy.Provider(issuer: issuer, clientID: client, clientSecretVariable: secret)
    }

    static func role(_ node: ConfigNode?, in parent: ConfigNode) throws(ConfigError) -> AccessPolicy.Role {
        guard let node else { throw parent.error("needs 'role' (viewer, operator or admin)") }
        guard let role = node.string.flatMap(AccessPolicy.Role.init(rawValue:)) else { throw node.error("must be viewer, operator or admin") }
        return role
    }
}
