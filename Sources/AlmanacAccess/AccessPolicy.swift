import AlmanacConfig

/// Who may do what: roles granted to the names a provider puts in its claims (Keycloak's realm
/// and client roles, a `groups` claim), narrowed to environments or teams; members of a
/// catalogue team may change that team's flags. Read from `access.yaml`.
public struct AccessPolicy: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, Comparable, CaseIterable {
        case viewer, `operator`, admin
        public static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public struct Grant: Sendable, Hashable {
        public var role: Role
        /// nil: every environment.
        public var environments: Set<String>?
        /// nil: every team.
        public var teams: Set<String>?
    }

    /// What a request wants to do, as the one authorisation check sees it.
    public enum Action: Sendable, Hashable {
        case read
        case changeFlag(team: String?)
        case rollout(environment: String)
        case administer
    }

    public var issuer: String
    public var clientID: String
    public var clientSecretVariable: String
    /// Paths anonymous visitors may see besides health, readiness, metrics and OFREP.
    public var publicPaths: [String]
    public var grants: [String: [Grant]]
    /// The role a catalogue team's members have over that team's flags; nil for none.
    public var teamRole: Role?

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
            case .changeFlag(let team):
                guard grant.role >= .operator else { return false }
                if grant.role == .admin { return true }
                guard let teams = grant.teams else { return true }
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
        try root.onlyFields(["issuer", "client_id", "client_secret_env", "public", "grants", "teams"])
        guard let issuer = root["issuer"]?.string,
            issuer.hasPrefix("https://") || issuer.hasPrefix("http://127.0.0.1") || issuer.hasPrefix("http://localhost")
        else {
            throw (root["issuer"] ?? root).error("needs 'issuer', an https:// URL (http only on this machine, for tests)")
        }
        guard let client = root["client_id"]?.string, !client.isEmpty else { throw root.error("needs 'client_id'") }
        guard let secret = root["client_secret_env"]?.string, !secret.isEmpty else {
            throw root.error("needs 'client_secret_env' (the environment variable holding the client secret, kept out of the repository)")
        }
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
        return AccessPolicy(
            issuer: issuer, clientID: client, clientSecretVariable: secret, publicPaths: publicPaths, grants: grants, teamRole: teamRole)
    }

    static func role(_ node: ConfigNode?, in parent: ConfigNode) throws(ConfigError) -> AccessPolicy.Role {
        guard let node else { throw parent.error("needs 'role' (viewer, operator or admin)") }
        guard let role = node.string.flatMap(AccessPolicy.Role.init(rawValue:)) else { throw node.error("must be viewer, operator or admin") }
        return role
    }
}
