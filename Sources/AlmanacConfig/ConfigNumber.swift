/// Numbers in config files: an integer or a finite decimal, anything else an error naming the
/// field. The one reader for thresholds, levels and gates.
public enum ConfigNumber {
    public static func read(_ node: ConfigNode?) throws(ConfigError) -> Double? {
        guard let node else { return nil }
        switch node.scalar {
        case .int(let i)?: return Double(i)
        case .double(let d)? where d.isFinite: return d
        default: throw node.error("must be a number")
        }
    }

    /// A number as people write it in a file: `1`, `0.5`.
    public static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Switches in config files: `true` or `false`, anything else an error naming the field.
public enum ConfigFlag {
    public static func read(_ node: ConfigNode?) throws(ConfigError) -> Bool? {
        guard let node else { return nil }
        guard case .bool(let value)? = node.scalar else { throw node.error("must be true or false") }
        return value
    }
}
