/// Requests and limits written into the files that run a service: a Kubernetes container's
/// `resources:`, a Docker Compose service's `deploy.resources`, a systemd unit's `CPUQuota=`,
/// `MemoryHigh=` and `MemoryMax=`. Edits the text in place, keeping everything else as it was,
/// so the result is a small diff a person can review.
public enum ResourcePatch {
    public enum Kind: String, Sendable, Codable, CaseIterable { case kubernetes, compose, systemd }

    /// What to write: the recommendation's target as request, its upper bound as limit.
    public struct Values: Sendable, Hashable {
        public var cpuRequest: Double
        public var cpuLimit: Double
        public var memoryRequest: Double
        public var memoryLimit: Double

        /// Limits are the upper bound, at most twice the request: with a short history the upper
        /// bound is wide on purpose (VPA uses it to decide when to act, not as a limit).
        public init(_ recommendation: Recommender.Recommendation) {
            cpuRequest = recommendation.cpu.target
            cpuLimit = min(recommendation.cpu.upper, recommendation.cpu.target * 2)
            memoryRequest = recommendation.memory.target
            memoryLimit = min(recommendation.memory.upper, recommendation.memory.target * 2)
        }
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The file's new text; `name` is the container (Kubernetes) or service (Compose), unused
    /// for a unit file.
    public static func apply(_ values: Values, to text: String, kind: Kind, name: String? = nil) throws(Problem) -> String {
        switch kind {
        case .kubernetes:
            guard let name else { throw Problem(description: "a Kubernetes file needs the container's name") }
            return try kubernetes(values, text, container: name)
        case .compose:
            guard let name else { throw Problem(description: "a Compose file needs the service's name") }
            return try compose(values, text, service: name)
        case .systemd: return systemd(values, text)
        }
    }

    /// Millicores rounded up, as `kubectl` shows them: `250m`.
    static func millicores(_ cores: Double) -> String { "\(Int((cores * 1000).rounded(.up)))m" }
    /// Whole mebibytes rounded up: `300Mi` (Kubernetes), `300M` (Compose and systemd read M as MiB).
    static func mebibytes(_ bytes: Double) -> Int { Int((bytes / 1_048_576).rounded(.up)) }

    static func kubernetes(_ v: Values, _ text: String, container: String) throws(Problem) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { isItem($0, key: "name", value: container) }) else {
            throw Problem(description: "no container named '\(container)'")
        }
        let dash = indent(lines[start])
        let keys = dash + 2
        let end = blockEnd(lines, after: start, deeperThan: dash)
        let block = [
            "resources:", "  requests:", "    cpu: \(millicores(v.cpuRequest))", "    memory: \(mebibytes(v.memoryRequest))Mi", "  limits:",
            "    cpu: \(millicores(v.cpuLimit))", "    memory: \(mebibytes(v.memoryLimit))Mi",
        ].map { String(repeating: " ", count: keys) + $0 }
        replaceOrInsert(&lines, key: "resources", at: keys, in: start..<end, with: block)
        return lines.joined(separator: "\n")
    }

    static func compose(_ v: Values, _ text: String, service: String) throws(Problem) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let services = lines.firstIndex(where: { $0.hasPrefix("services:") }),
            let start = lines[(services + 1)...].firstIndex(where: { $0.trimmingPrefixSpaces == "\(service):" && indent($0) > 0 })
        else { throw Problem(description: "no service named '\(service)' under services:") }
        let own = indent(lines[start])
        let end = blockEnd(lines, after: start, deeperThan: own)
        let step = lines[(start + 1)..<end].first { !$0.trimmingPrefixSpaces.isEmpty }.map { indent($0) - own } ?? 2
        let keys = own + step
        let resources = [
            "resources:", "  limits:", "    cpus: '\(decimal(v.cpuLimit))'", "    memory: \(mebibytes(v.memoryLimit))M", "  reservations:",
            "    cpus: '\(decimal(v.cpuRequest))'", "    memory: \(mebibytes(v.memoryRequest))M",
        ]
        if let deploy = lines[(start + 1)..<end].firstIndex(where: { indent($0) == keys && $0.trimmingPrefixSpaces == "deploy:" }) {
            let deployEnd = blockEnd(lines, after: deploy, deeperThan: keys)
            replaceOrInsert(
                &lines, key: "resources", at: keys + 2, in: deploy..<deployEnd, with: resources.map { String(repeating: " ", count: keys + 2) + $0 })
        } else {
            let block = ["deploy:"] + resources.map { "  " + $0 }
            lines.insert(contentsOf: block.map { String(repeating: " ", count: keys) + $0 }, at: lastContent(lines, in: start..<end) + 1)
        }
        return lines.joined(separator: "\n")
    }

    static func systemd(_ v: Values, _ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let settings = [
            ("CPUQuota", "\(Int((v.cpuLimit * 100).rounded(.up)))%"), ("MemoryHigh", "\(mebibytes(v.memoryRequest))M"),
            ("MemoryMax", "\(mebibytes(v.memoryLimit))M"),
        ]
        guard let section = lines.firstIndex(where: { $0.trimmingPrefixSpaces == "[Service]" }) else {
            let tail = lines.last == "" ? lines.count - 1 : lines.count
            lines.insert(contentsOf: ["", "[Service]"] + settings.map { "\($0.0)=\($0.1)" }, at: tail)
            return lines.joined(separator: "\n")
        }
        var end = lines[(section + 1)...].firstIndex { $0.hasPrefix("[") } ?? lines.count
        for (key, value) in settings {
            if let existing = lines[(section + 1)..<end].lastIndex(where: { $0.hasPrefix(key + "=") }) {
                lines[existing] = "\(key)=\(value)"
            } else {
                let after = lastContent(lines, in: section..<end)
                lines.insert("\(key)=\(value)", at: after + 1)
                end += 1
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: YAML by indentation: enough for manifests as people write them, with comments kept.

    static func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    static func isItem(_ line: String, key: String, value: String) -> Bool {
        let body = line.trimmingPrefixSpaces
        guard body.hasPrefix("- ") else { return false }
        let entry = body.dropFirst(2).trimmingPrefixSpaces
        return entry == "\(key): \(value)" || entry == "\(key): \"\(value)\"" || entry == "\(key): '\(value)'"
    }

    /// The line after the block opened at `start`: it ends at the first line (not blank, not a
    /// comment) indented no deeper than `level`.
    static func blockEnd(_ lines: [String], after start: Int, deeperThan level: Int) -> Int {
        var index = start + 1
        while index < lines.count {
            let body = lines[index].trimmingPrefixSpaces
            if !body.isEmpty && !body.hasPrefix("#") && indent(lines[index]) <= level { break }
            index += 1
        }
        return index
    }

    /// The last line of `range` with content (comments belong to what follows them).
    static func lastContent(_ lines: [String], in range: Range<Int>) -> Int {
        range.reversed().first {
            let body = lines[$0].trimmingPrefixSpaces
            return !body.isEmpty && !body.hasPrefix("#")
        } ?? range.lowerBound
    }

    /// Replaces the `key:` block at indentation `level` within `range`, or adds it at the end.
    static func replaceOrInsert(_ lines: inout [String], key: String, at level: Int, in range: Range<Int>, with block: [String]) {
        let found = range.dropFirst().first { indent(lines[$0]) == level && lines[$0].trimmingPrefixSpaces.hasPrefix(key + ":") }
        if let found {
            let end = blockEnd(lines, after: found, deeperThan: level)
            lines.replaceSubrange(found..<lastContent(lines, in: found..<end) + 1, with: block)
        } else {
            lines.insert(contentsOf: block, at: lastContent(lines, in: range) + 1)
        }
    }

    static func decimal(_ cores: Double) -> String {
        let rounded = (cores * 1000).rounded(.up) / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : String(rounded)
    }
}

extension String {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}

extension Substring {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " } }
}
