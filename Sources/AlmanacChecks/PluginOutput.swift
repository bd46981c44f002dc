/// What a Nagios plugin prints: a first line of text, optionally `| perfdata`, more lines of
/// text, and perfdata after a `|` on a later line too (the Nagios plugin guidelines).
public struct PluginOutput: Sendable, Hashable, Codable {
    /// One perfdata item: `'label'=value[UOM];[warn];[crit];[min];[max]`.
    public struct Metric: Sendable, Hashable, Codable {
        public var label: String
        /// nil when the plugin printed `U` (unknown).
        public var value: Double?
        public var unit: String
        public var warning, critical, minimum, maximum: String?

        /// The value in base units: seconds, bytes, a fraction for %; counters (`c`) as they are.
        public var baseValue: Double? {
            guard let value else { return nil }
            switch unit {
            case "ms": return value / 1000
            case "us": return value / 1_000_000
            case "KB": return value * 1024
            case "MB": return value * 1_048_576
            case "GB": return value * 1_073_741_824
            case "TB": return value * 1_099_511_627_776
            default: return value
            }
        }
    }

    public var text: String
    public var longText: String
    public var metrics: [Metric]

    public init(_ output: String) {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        var perfdata: [String] = []
        let first = lines.first ?? ""
        if let bar = first.firstIndex(of: "|") {
            text = first[..<bar].trimmingSpaces
            perfdata.append(String(first[first.index(after: bar)...]))
        } else {
            text = first.trimmingSpaces
        }
        var long: [String] = []
        var inPerfdata = false
        for line in lines.dropFirst() {
            if inPerfdata {
                perfdata.append(line)
            } else if let bar = line.firstIndex(of: "|") {
                long.append(line[..<bar].trimmingSpaces)
                perfdata.append(String(line[line.index(after: bar)...]))
                inPerfdata = true
            } else {
                long.append(line)
            }
        }
        longText = long.joined(separator: "\n")
        metrics = perfdata.flatMap(Self.metrics)
    }

    /// Splits on spaces outside single quotes; items that do not parse are left out, as Nagios's
    /// graphing add-ons do.
    static func metrics(_ text: String) -> [Metric] {
        var items: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "'" { quoted.toggle() }
            if character == " " && !quoted {
                if !current.isEmpty { items.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { items.append(current) }
        return items.compactMap { item in
            guard let equals = item.lastIndex(of: "=") else { return nil }
            var label = String(item[..<equals])
            if label.hasPrefix("'") && label.hasSuffix("'") && label.count >= 2 { label = String(label.dropFirst().dropLast()) }
            let fields = item[item.index(after: equals)...].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            guard let raw = fields.first, !label.isEmpty else { return nil }
            let number = raw.prefix { "0123456789.-+eE".contains($0) }
            let unit = String(raw.dropFirst(number.count))
            guard raw == "U" || Double(number) != nil else { return nil }
            func field(_ index: Int) -> String? { index < fields.count && !fields[index].isEmpty ? fields[index] : nil }
            return Metric(
                label: label, value: raw == "U" ? nil : Double(number), unit: raw == "U" ? "" : unit, warning: field(1), critical: field(2),
                minimum: field(3), maximum: field(4))
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
