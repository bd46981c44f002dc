import AlmanacConfig

/// `capacity/resources.yaml`: which processes and containers to size, where their usage
/// series are, which file runs each of them, and the recommender's parameters.
public struct Workload: Sendable, Hashable {
    public var name: String
    public var service: String
    /// Label matchers for the workload's CPU and memory series: `{groupname="search"}`; nil
    /// selects them by `service`.
    public var usage: String?
    public var file: String?
    public var kind: ResourcePatch.Kind?
    /// The container (Kubernetes) or service (Compose) in `file`.
    public var container: String?
    /// A counter of the service's requests, whose forecast `--for-traffic` sizes for.
    public var traffic: String?
    public var line: Int
}

public enum ResourcesFile {
    public static let path = "capacity/resources.yaml"

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> (Recommender.Parameters, [Workload]) {
        try root.onlyFields(["recommender", "workloads"])
        var parameters = Recommender.Parameters()
        if let node = root["recommender"] {
            try node.onlyFields([
                "cpu_percentile", "memory_percentile", "margin", "half_life", "memory_window", "memory_windows", "oom_bump", "min_cpu",
                "min_memory",
            ])
            func fraction(_ key: String) throws(ConfigError) -> Double? {
                guard let value = try ConfigNumber.read(node[key]) else { return nil }
                guard value > 0, value <= 1 else { throw node[key]!.error("must be between 0 and 1") }
                return value
            }
            parameters.cpuTarget = try fraction("cpu_percentile") ?? parameters.cpuTarget
            parameters.memoryTarget = try fraction("memory_percentile") ?? parameters.memoryTarget
            parameters.margin = try ConfigNumber.read(node["margin"]) ?? parameters.margin
            parameters.halfLife = try DurationText.milliseconds(node["half_life"]) ?? parameters.halfLife
            parameters.memoryWindow = try DurationText.milliseconds(node["memory_window"]) ?? parameters.memoryWindow
            parameters.memoryWindows = try LoadTestFile.integer(node["memory_windows"]) ?? parameters.memoryWindows
            parameters.oomBumpRatio = try ConfigNumber.read(node["oom_bump"]) ?? parameters.oomBumpRatio
            parameters.minimumCPU = try ConfigNumber.read(node["min_cpu"]) ?? parameters.minimumCPU
            parameters.minimumMemory = try ConfigNumber.read(node["min_memory"]) ?? parameters.minimumMemory
            guard parameters.margin >= 0, parameters.memoryWindows >= 1, parameters.oomBumpRatio >= 1 else {
                throw node.error("margin must be at least 0, memory_windows at least 1, oom_bump at least 1")
            }
        }
        guard let items = root["workloads"]?.elements else { throw root.error("missing 'workloads' (a list)") }
        var workloads: [Workload] = []
        for item in items {
            try item.onlyFields(["name", "service", "usage", "file", "kind", "container", "traffic"])
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
            guard let service = item["service"]?.string else { throw item.error("missing 'service' (a catalogue component)") }
            let usage = item["usage"]?.string
            if let usage, !(usage.hasPrefix("{") && usage.hasSuffix("}")) {
                throw item["usage"]!.error("must be label matchers such as {job=\"search\"}")
            }
            var kind: ResourcePatch.Kind?
            if let node = item["kind"] {
                guard let parsed = node.string.flatMap(ResourcePatch.Kind.init(rawValue:)) else {
                    throw node.error("must be kubernetes, compose or systemd")
                }
                kind = parsed
            }
            let file = item["file"]?.string
            if (file == nil) != (kind == nil) { throw item.error("'file' and 'kind' go together") }
            if kind == .kubernetes || kind == .compose, item["container"]?.string == nil {
                throw item.error("a \(kind!.rawValue) file needs 'container' (the container or Compose service to size)")
            }
            if workloads.contains(where: { $0.name == name }) { throw item["name"]!.error("a second workload named '\(name)'") }
            workloads.append(
                Workload(
                    name: name, service: service, usage: usage, file: file, kind: kind, container: item["container"]?.string,
                    traffic: item["traffic"]?.string, line: item.line))
        }
        return (parameters, workloads)
    }
}
