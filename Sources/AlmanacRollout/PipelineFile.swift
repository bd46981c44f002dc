import AlmanacConfig

/// Parses `pipeline/pipeline.yaml`, reporting mistakes as `file:line: field: message`.
public enum PipelineFile {
    static let fields: Set<String> = [
        "repository", "branch", "service", "commands", "timeouts", "health_interval", "environments", "hosts", "roles", "database",
    ]
    static let environmentFields: Set<String> = ["name", "hosts", "waves", "gates", "follow", "at", "qa", "database"]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> Pipeline {
        try unknown(root, fields)
        guard let repository = root["repository"]?.string, !repository.isEmpty else { throw root.error("missing 'repository' (a git repository)") }
        guard let commandsNode = root["commands"] else { throw root.error("missing 'commands' (deploy and health at least)") }
        try unknown(commandsNode, ["deploy", "health", "drain", "undrain", "setup", "cleanup"])
        guard let deploy = commandsNode["deploy"]?.string, !deploy.isEmpty else { throw commandsNode.error("missing 'deploy' command") }
        guard let health = commandsNode["health"]?.string, !health.isEmpty else { throw commandsNode.error("missing 'health' check") }
        let commands = Pipeline.Commands(
            deploy: deploy, health: health, drain: commandsNode["drain"]?.string, undrain: commandsNode["undrain"]?.string,
            setup: commandsNode["setup"]?.string, cleanup: commandsNode["cleanup"]?.string)
        if (commands.drain == nil) != (commands.undrain == nil) { throw commandsNode.error("drain and undrain go together") }
        let timeouts = root["timeouts"]
        if let timeouts { try unknown(timeouts, ["deploy", "health", "drain"]) }
        guard let environmentNodes = root["environments"]?.elements, !environmentNodes.isEmpty else {
            throw root.error("missing 'environments' (a list)")
        }
        // An optional inventory of every host: then an environment naming another is a mistake.
        var inventory: Set<String>?
        if let hostsNode = root["hosts"] {
            guard let items = hostsNode.elements else { throw hostsNode.error("must be a list of host names") }
            inventory = Set(items.compactMap(\.string))
        }
        let roles = try RolesFile.roles(root["roles"], defaults: commands)
        var environments: [Pipeline.Environment] = []
        var allHosts: [String: String] = [:]
        for node in environmentNodes {
            let environment = try self.environment(node, roles: roles)
            if let inventory, let unknown = environment.hosts.first(where: { !inventory.contains($0) }) {
                throw node["hosts"]!.error("unknown host '\(unknown)' (not in the top-level hosts list)")
            }
            if environments.contains(where: { $0.name == environment.name }) {
                throw node["name"]!.error("a second environment named '\(environment.name)'")
            }
            for host in environment.hosts {
                if let other = allHosts[host] { throw node["hosts"]!.error("host '\(host)' is already in environment '\(other)'") }
                allHosts[host] = environment.name
            }
            environments.append(environment)
        }
        return Pipeline(
            repository: repository, branch: root["branch"]?.string ?? "main", service: root["service"]?.string, commands: commands,
            deployTimeout: try DurationText.milliseconds(timeouts?["deploy"]) ?? 300_000,
            healthTimeout: try DurationText.milliseconds(timeouts?["health"]) ?? 30_000,
            drainTimeout: try DurationText.milliseconds(timeouts?["drain"]) ?? 30_000,
            healthInterval: try DurationText.milliseconds(root["health_interval"]) ?? 2000,
            environments: environments, roles: roles, database: try RolesFile.database(root["database"]))
    }

    static func unknown(_ node: ConfigNode, _ allowed: Set<String>) throws(ConfigError) {
        for member in node.members ?? [] where !allowed.contains(member.key) {
            throw member.value.error("unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    static func environment(_ node: ConfigNode, roles: [Pipeline.Role]) throws(ConfigError) -> Pipeline.Environment {
        try unknown(node, environmentFields)
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name'") }
        guard let hostsNode = node["hosts"], !roles.isEmpty || !(hostsNode.elements ?? []).isEmpty else {
            throw node.error(roles.isEmpty ? "missing 'hosts' (a list)" : "missing 'hosts' (role: [hosts])")
        }
        var hosts: [String] = []
        var byRole: [String: [String]] = [:]
        if roles.isEmpty {
            hosts = try hostList(hostsNode)
        } else {
            byRole = try RolesFile.hostsByRole(hostsNode, roles: roles)
            for role in roles { hosts += byRole[role.name] ?? [] }
            if let twice = hosts.first(where: { host in hosts.filter { $0 == host }.count > 1 }) {
                throw hostsNode.error("host '\(twice)' has two roles")
            }
            if let waves = node["waves"] { throw waves.error("with roles, waves go on each role") }
        }
        let waves = try self.waves(node["waves"])
        var gates = Pipeline.Gates()
        gates.budget = name == "production"
        if let gatesNode = node["gates"] {
            try unknown(gatesNode, ["alerts", "error_rate", "budget"])
            if case .bool(let b)? = gatesNode["alerts"]?.scalar { gates.alerts = b }
            gates.budget = try ConfigFlag.read(gatesNode["budget"]) ?? gates.budget
            if let rate = gatesNode["error_rate"] {
                guard let series = rate["series"]?.string, let above = try ConfigNumber.read(rate["above"]) else {
                    throw rate.error("needs series: and above:")
                }
                gates.errorRate = (series, above)
            }
        }
        var at: Int?
        if let atNode = node["at"] {
            let parts = (atNode.string ?? "").split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                throw atNode.error("a time of day as HH:MM (UTC)")
            }
            at = parts[0] * 60 + parts[1]
        }
        var requiresQA = true
        if let qa = node["qa"] {
            switch qa.string {
            case "required": requiresQA = true
            case "none": requiresQA = false
            default: throw qa.error("'required' (every revision QA'd ok or untestable first) or 'none' (QA happens here)")
            }
        }
        var database: String?
        if let variable = node["database"] {
            guard let text = variable.string, !text.isEmpty, text.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else {
                throw variable.error("the name of an environment variable holding the database URL (PRODUCTION_DATABASE_URL)")
            }
            database = text
        }
        return Pipeline.Environment(
            name: name, hosts: hosts, roles: byRole, waves: waves, gates: gates, follow: node["follow"]?.string, at: at,
            requiresQA: requiresQA, line: node.line, database: database)
    }

    /// A list of host names or addresses, each once.
    static func hostList(_ node: ConfigNode) throws(ConfigError) -> [String] {
        guard let items = node.elements, !items.isEmpty else { throw node.error("a list of hosts") }
        var hosts: [String] = []
        for item in items {
            guard let host = item.string, !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || "-._:".contains($0) }) else {
                throw item.error("a host is a name or address (letters, digits, - . _ :)")
            }
            if hosts.contains(host) { throw item.error("host '\(host)' is listed twice") }
            hosts.append(host)
        }
        return hosts
    }

    /// Waves as hosts (`1`) or shares (`25%`); all at once when none are given.
    static func waves(_ node: ConfigNode?) throws(ConfigError) -> [Pipeline.Wave] {
        var waves: [Pipeline.Wave] = []
        for item in node?.elements ?? [] {
            switch item.scalar {
            case .int(let n)? where n > 0: waves.append(.hosts(Int(n)))
            case .string(let text)? where text.hasSuffix("%"):
                guard let p = Int(text.dropLast()), (1...100).contains(p) else { throw item.error("a percentage is 1% to 100%") }
                waves.append(.percent(p))
            default: throw item.error("a wave is a number of hosts (1) or a share of them (25%)")
            }
        }
        return waves.isEmpty ? [.percent(100)] : waves
    }
}
