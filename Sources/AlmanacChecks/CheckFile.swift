import AlmanacCatalog
import AlmanacConfig

/// One check of `checks/*.yaml`: what to probe, how often, how many results make a problem hard.
public struct Check: Sendable, Hashable {
    public enum Probe: Sendable, Hashable {
        /// `status` expected (default 200), `body` a text the answer must contain, `latency` the
        /// most it may take (WARNING beyond), `certificateDays` the fewest days an HTTPS
        /// certificate may have left (WARNING below, CRITICAL once expired).
        /// `ca` is a file of CA certificates to trust instead of the system's (an internal CA).
        case http(url: String, status: Int, body: String?, latency: Int64?, certificateDays: Int?, ca: String?)
        case tcp(host: String, port: Int)
        /// The name resolves (through the system's resolver), to `expect` when given.
        case dns(name: String, expect: String?)
        /// A Nagios plugin: its exit status is the result, its perfdata become series.
        case command(arguments: [String])
        /// A query on PostgreSQL whose first column of the first row must read `expect`; the URL
        /// comes from an environment variable, so the password stays out of the repository.
        case sql(urlVariable: String, query: String, expect: String?)
    }

    public var name: String
    public var entity: EntityRef
    public var probe: Probe
    public var interval: Int64
    /// Between results while a problem is soft (Nagios's retry_interval).
    public var retryInterval: Int64
    public var timeout: Int64
    public var attempts: Int
    public var flapLow: Double
    public var flapHigh: Double
    /// What to run when the problem turns hard; nil to only report it.
    public var recovery: RecoveryPlan?
    public var file: String
    public var line: Int

    public var kind: String {
        switch probe {
        case .http: "http"
        case .tcp: "tcp"
        case .dns: "dns"
        case .command: "command"
        case .sql: "sql"
        }
    }
}

public enum CheckFile {
    public static let folder = "checks"
    public static let placeholders: Set<String> = ["host", "check", "entity"]

    /// `entities` are the catalogue's references (nil when the catalogue is not at hand); `hosts`
    /// its servers, for `{host}` in a command.
    public static func parse(_ root: ConfigNode, entities: Set<EntityRef>?) throws(ConfigError) -> [Check] {
        try root.onlyFields(["checks", "recovery"])
        guard let items = root["checks"]?.elements else { throw root.error("missing 'checks' (a list)") }
        var checks: [Check] = []
        for item in items {
            let check = try parse(check: item, entities: entities)
            if checks.contains(where: { $0.name == check.name }) { throw item["name"]!.error("a second check named '\(check.name)'") }
            checks.append(check)
        }
        return checks
    }

    static func parse(check item: ConfigNode, entities: Set<EntityRef>?) throws(ConfigError) -> Check {
        try item.onlyFields([
            "name", "entity", "http", "tcp", "dns", "command", "sql", "host", "interval", "retry_interval", "timeout", "attempts", "flapping",
            "recover",
        ])
        guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
        guard let entityNode = item["entity"] else {
            throw item.error("missing 'entity' (the catalogue entity it checks, such as component:search)")
        }
        let entity = try EntityRef.read(entityNode, defaultKind: .component, known: entities)
        guard let interval = try DurationText.milliseconds(item["interval"]) else {
            throw item.error("missing 'interval' (how often to check, such as 30s)")
        }
        let timeout = try DurationText.milliseconds(item["timeout"]) ?? min(interval, 10_000)
        var attempts = 3
        if let node = item["attempts"] {
            guard let value = try ConfigNumber.read(node), value >= 1, value == value.rounded() else {
                throw node.error("must be a whole number, at least 1")
            }
            attempts = Int(value)
        }
        var (low, high) = (5.0, 20.0)
        if let node = item["flapping"] {
            try node.onlyFields(["low", "high"])
            low = try ConfigNumber.read(node["low"]) ?? low
            high = try ConfigNumber.read(node["high"]) ?? high
            guard low >= 0, high <= 100, low < high else { throw node.error("needs 0 <= low < high <= 100 (percent state change)") }
        }
        let kinds = ["http", "tcp", "dns", "command", "sql"].filter { item[$0] != nil }
        guard kinds.count == 1 else { throw item.error("needs exactly one of http, tcp, dns, command, sql") }
        let probe = try self.probe(kinds[0], item[kinds[0]]!, host: item["host"], check: name, entity: entity)
        return Check(
            name: name, entity: entity, probe: probe, interval: interval,
            retryInterval: try DurationText.milliseconds(item["retry_interval"]) ?? interval,
            timeout: timeout, attempts: attempts, flapLow: low, flapHigh: high,
            recovery: try item["recover"].map { node throws(ConfigError) in try recovery(node, host: item["host"], check: name, entity: entity) },
            file: item.file, line: item.line)
    }

    static func probe(_ kind: String, _ node: ConfigNode, host: ConfigNode?, check: String, entity: EntityRef) throws(ConfigError) -> Check.Probe {
        switch kind {
        case "http":
            try node.onlyFields(["url", "status", "body", "latency", "certificate_days", "ca_file"])
            guard let url = node["url"]?.string, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw (node["url"] ?? node).error("needs 'url' (http:// or https://)")
            }
            let status = try ConfigNumber.read(node["status"]).map(Int.init) ?? 200
            guard (100...599).contains(status) else { throw node["status"]!.error("must be an HTTP status, 100 to 599") }
            let days = try ConfigNumber.read(node["certificate_days"]).map(Int.init)
            if let days, days < 0 { throw node["certificate_days"]!.error("must be a number of days, at least 0") }
            return .http(
                url: url, status: status, body: node["body"]?.string, latency: try DurationText.milliseconds(node["latency"]), certificateDays: days,
                ca: node["ca_file"]?.string)
        case "tcp":
            try node.onlyFields(["host", "port"])
            guard let host = node["host"]?.string, let port = try ConfigNumber.read(node["port"]), (1...65535).contains(port) else {
                throw node.error("needs 'host' and 'port' (1 to 65535)")
            }
            return .tcp(host: host, port: Int(port))
        case "dns":
            try node.onlyFields(["name", "expect"])
            guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("needs 'name' (the name to resolve)") }
            return .dns(name: name, expect: node["expect"]?.string)
        case "command":
            let words: [String]
            if let list = node.elements {
                words = list.compactMap(\.string)
            } else if let line = node.string {
                words = line.split(separator: " ").map(String.init)
            } else {
                throw node.error("must be a command line or a list of arguments")
            }
            guard words.first?.hasPrefix("/") == true else {
                throw node.error("must start with the plugin's absolute path, such as /usr/lib/nagios/plugins/check_tcp")
            }
            var values = ["check": check, "entity": entity.shortText]
            if let host { values["host"] = host.string }
            return .command(arguments: try words.map { word throws(ConfigError) in try fill(word, values: values, node: node, host: host) })
        default:
            try node.onlyFields(["url_env", "query", "expect"])
            guard let variable = node["url_env"]?.string, !variable.isEmpty else {
                throw node.error("needs 'url_env' (the environment variable holding the postgres:// URL, kept out of the repository)")
            }
            guard let query = node["query"]?.string, !query.isEmpty else { throw node.error("needs 'query'") }
            return .sql(urlVariable: variable, query: query, expect: node["expect"].map { $0.string ?? JSONWriter.string($0.scalar ?? .null) })
        }
    }

    /// `{host}`, `{check}` and `{entity}` filled in; any other `{name}` is a mistake, caught here.
    static func fill(_ word: String, values: [String: String?], node: ConfigNode, host: ConfigNode?) throws(ConfigError) -> String {
        var out = ""
        var rest = Substring(word)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw node.error("'\(word)' has a '{' without its '}'") }
            let name = String(rest[rest.index(after: open)..<close])
            guard placeholders.contains(name) else {
                throw node.error("unknown placeholder '{\(name)}' (known: \(placeholders.sorted().map { "{\($0)}" }.joined(separator: ", ")))")
            }
            guard let value = values[name] ?? nil else { throw node.error("'{\(name)}' needs the check's '\(name)' field") }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
