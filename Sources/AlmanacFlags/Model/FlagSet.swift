import AlmanacConfig

/// Every flag of the config repository as it serves in one environment. Immutable: a reload
/// builds a new set and swaps it in whole, so a request never sees half an edit.
public struct FlagSet: Sendable {
    public var environment: String?
    public var flags: [String: Flag]
    /// Flag-set metadata from the files, merged into every flag's metadata (as flagd does).
    public var metadata: [String: JSONValue]
    /// Targeting that flagd accepts but that cannot do what it says (an operator called with
    /// the wrong arguments, a `$ref` to a missing evaluator): the set serves, each flag
    /// answering as flagd would, and `almanac flags check` fails on them.
    public var warnings: [ConfigError] = []

    public init(environment: String? = nil, flags: [String: Flag] = [:], metadata: [String: JSONValue] = [:]) {
        self.environment = environment
        self.flags = flags
        self.metadata = metadata
    }

    /// Flag keys in order.
    public var keys: [String] { flags.keys.sorted() }
}
