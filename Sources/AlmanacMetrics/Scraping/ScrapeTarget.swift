import AlmanacConfig

/// One endpoint to scrape, with the labels every sample from it carries.
public struct ScrapeTarget: Sendable, Hashable {
    public var job: String
    /// host:port
    public var address: String
    public var scheme: String
    public var path: String
    /// Milliseconds.
    public var interval: Int64
    public var timeout: Int64
    /// `job`, `instance` and the configured labels, sorted.
    public var labels: [Label]

    public var url: String { "\(scheme)://\(address)\(path)" }
}

/// Reads scrape targets from `monitoring/targets.yaml` in the config repository:
///
/// ```yaml
/// defaults: {interval: 30s, timeout: 10s}
/// jobs:
///   - job: node
///     targets: [db1:9100, web1:9100]
///     labels: {service: database, environment: production}
///     interval: 15s
///   - job: web
///     files: [targets/web.yaml]    # Prometheus file_sd lists: [{targets: [...], labels: {...}}]
/// ```
public enum ScrapeConfig {
    /// Parses the targets document; `files` resolves a `files:` entry to its parsed document.
    public static func targets(_ root: ConfigNode, files: (String) throws(ConfigError) -> ConfigNode) throws(ConfigError) -> [ScrapeTarget] {
        guard root.members != nil else { throw root.error("must be an object with 'jobs'") }
        for member in root.members! where !["defaults", "jobs"].contains(member.key) {
            throw member.value.error("unknown field (expected defaults, jobs)")
        }
        let defaults = root["defaults"]
        let defaultInterval = try DurationText.milliseconds(defaults?["interval"]) ?? 30_000
        let defaultTimeout = try DurationText.milliseconds(defaults?["timeout"]) ?? 10_000
        guard let jobs = root["jobs"]?.elements else { throw root.error("missing 'jobs' (a list)") }
        var out: [ScrapeTarget] = []
        var seen: Set<String> = []
        for job in jobs {
            guard let fields = job.members else { throw job.error("a job must be an object") }
            for field in fields where !["job", "targets", "files", "labels", "interval", "timeout", "path", "scheme"].contains(field.key) {
                throw field.value.error("unknown field '\(field.key)'")
            }
            guard let name = job["job"]?.string, !name.isEmpty else { throw job.error("missing 'job' name") }
            let interval = try DurationText.milliseconds(job["interval"]) ?? defaultInterval
            let timeout = try DurationText.milliseconds(job["timeout"]) ?? min(defaultTimeout, interval)
            if timeout > interval { throw (job["timeout"] ?? job).error("timeout must not exceed the interval") }
            let scheme = job["scheme"]?.string ?? "http"
            guard scheme == "http" || scheme == "https" else { throw job["scheme"]!.error("must be http or https") }
            let path = job["path"]?.string ?? "/metrics"
            guard path.hasPrefix("/") else { throw job["path"]!.error("must start with /") }
            var groups: [(addresses: [String], labels: [String: String], node: ConfigNode)] = []
            if let list = job["targets"] { groups.append((try addresses(list), try labels(job["labels"]), list)) }
            for file in try job["files"].map(strings) ?? [] {
                let document = try files(file)
                guard let entries = document.elements else { throw document.error("a target file must be a list of {targets, labels}") }
                for entry in entries {
                    guard let list = entry["targets"] else { throw entry.error("missing 'targets'") }
                    groups.append((try addresses(list), try labels(job["labels"]).merging(try labels(entry["labels"])) { _, own in own }, list))
                }
            }
            if groups.isEmpty { throw job.error("a job needs 'targets' or 'files'") }
            for group in groups {
                for address in group.addresses {
                    guard seen.insert("\(name)/\(address)").inserted else {
                        throw group.node.error("target '\(address)' is listed twice in job '\(name)'")
                    }
                    var all = group.labels
                    all["job"] = name
                    all["instance"] = all["instance"] ?? address
                    out.append(
                        ScrapeTarget(
                            job: name, address: address, scheme: scheme, path: path, interval: interval, timeout: timeout,
                            labels: all.map { Label($0.key, $0.value) }.sorted()))
                }
            }
        }
        return out
    }

    static func strings(_ node: ConfigNode) throws(ConfigError) -> [String] {
        guard let items = node.elements else { throw node.error("must be a list") }
        var out: [String] = []
        for item in items {
            guard let text = item.string, !text.isEmpty else { throw item.error("must be a string") }
            out.append(text)
        }
        return out
    }

    static func addresses(_ node: ConfigNode) throws(ConfigError) -> [String] {
        let list = try strings(node)
        for (i, address) in list.enumerated() {
            let parts = address.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw ConfigError(
                    file: node.file, line: node.elements?[i].line ?? node.line, field: "\(node.path)[\(i)]", message: "must be host:port")
            }
        }
        return list
    }

    static func labels(_ node: ConfigNode?) throws(ConfigError) -> [String: String] {
        guard let node else { return [:] }
        guard let members = node.members else { throw node.error("must map label names to values") }
        var out: [String: String] = [:]
        for member in members {
            guard LineScanner.isValidName(Array(member.key.utf8)), !member.key.hasPrefix("__") else {
                throw member.value.error("invalid label name '\(member.key)'")
            }
            guard let value = member.value.scalar.map(scalarText) else { throw member.value.error("must be a string") }
            out[member.key] = value
        }
        return out
    }

    static func scalarText(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return JSONWriter.string(value)
    }
}
