import AlmanacConfig

/// The requests a workload's file sets today, read back from the places `ResourcePatch` writes
/// them: a Kubernetes container's `resources.requests`, a Compose service's
/// `deploy.resources.reservations`, a unit's `MemoryHigh=` (systemd reserves no CPU).
public enum ResourceRequests {
    public struct Values: Sendable, Hashable {
        /// Cores.
        public var cpu: Double?
        public var memoryBytes: Double?
    }

    public static func read(_ text: String, kind: ResourcePatch.Kind, name: String?, file: String) throws(ConfigError) -> Values {
        switch kind {
        case .kubernetes:
            for document in try ConfigDocument.parseAll(text, file: file) {
                let spec = document["spec"]?["template"]?["spec"] ?? document["spec"]
                for container in spec?["containers"]?.elements ?? [] where container["name"]?.string == name {
                    let requests = container["resources"]?["requests"]
                    return Values(
                        cpu: try quantity(requests?["cpu"], memory: false, kubernetes: true),
                        memoryBytes: try quantity(requests?["memory"], memory: true, kubernetes: true))
                }
            }
            throw ConfigError(file: file, line: 0, field: "", message: "no container named '\(name ?? "")'")
        case .compose:
            let root = try ConfigDocument.parse(text, file: file)
            guard let name, let service = root["services"]?[name] else {
                throw ConfigError(file: file, line: 0, field: "", message: "no service named '\(name ?? "")' under services:")
            }
            let reservations = service["deploy"]?["resources"]?["reservations"]
            return Values(
                cpu: try quantity(reservations?["cpus"], memory: false, kubernetes: false),
                memoryBytes: try quantity(reservations?["memory"], memory: true, kubernetes: false))
        case .systemd:
            var inService = false
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let body = line.drop { $0 == " " }
                if body.hasPrefix("[") { inService = body == "[Service]" }
                guard inService, body.hasPrefix("MemoryHigh=") else { continue }
                let value = String(body.dropFirst("MemoryHigh=".count))
                guard let bytes = binaryBytes(value) else {
                    throw ConfigError(file: file, line: index + 1, field: "MemoryHigh", message: "MemoryHigh=\(value) is not a size such as 512M")
                }
                return Values(cpu: nil, memoryBytes: bytes)
            }
            return Values(cpu: nil, memoryBytes: nil)
        }
    }

    /// CPU as Kubernetes (`250m`, `0.5`) and Compose (`'0.5'`) write it; memory as Kubernetes'
    /// quantities (`512Mi`, `1G` = 10^9) or, for Compose, Docker's binary units (`512m` = `512M` = MiB).
    static func quantity(_ node: ConfigNode?, memory: Bool, kubernetes: Bool) throws(ConfigError) -> Double? {
        guard let node, let text = node.string?.trimmingCharacters(in: .whitespaces) else { return nil }
        if !memory {
            if text.hasSuffix("m"), let milli = Double(text.dropLast()) { return milli / 1000 }
            if let cores = Double(text) { return cores }
            throw node.error("'\(text)' is not a CPU quantity such as 250m or 0.5")
        }
        guard let value = kubernetes ? kubernetesBytes(text) : binaryBytes(text) else {
            throw node.error("'\(text)' is not a memory quantity such as \(kubernetes ? "512Mi" : "512M")")
        }
        return value
    }

    static func kubernetesBytes(_ text: String) -> Double? {
        let units: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) { return Double(text.dropLast(suffix.count)).map { $0 * factor } }
        return Double(text)
    }

    /// Docker's and systemd's sizes: K, M, G, T (any case, an optional B) in powers of 1024.
    static func binaryBytes(_ text: String) -> Double? {
        var body = text.uppercased()
        if body.hasSuffix("B") { body.removeLast() }
        let powers: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        if let last = body.last, let factor = powers[last] { return Double(body.dropLast()).map { $0 * factor } }
        return Double(body)
    }
}
