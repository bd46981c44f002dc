import AlmanacConfig
import AlmanacExperiments

/// Whether a flag serves its variants or defers to the caller's default.
public enum FlagState: String, Sendable, Hashable, Codable {
    case enabled = "ENABLED"
    case disabled = "DISABLED"
}

/// The type every variant of a flag shares, inferred from the variants.
public enum FlagType: String, Sendable, Hashable, Codable {
    case boolean, string, integer, float, object
}

/// Where a flag was defined, for error messages and the web pages.
public struct SourceLocation: Sendable, Hashable {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
}

/// One flag as it serves in one environment: flagd's fields, Almanac's lifecycle fields,
/// and targeting already compiled.
public struct Flag: Sendable {
    public var key: String
    public var state: FlagState
    public var type: FlagType
    /// Variant values, typed: a float flag's whole-number variants are stored as doubles.
    public var variants: [String: JSONValue]
    public var defaultVariant: String?
    /// The targeting rule as written (after `$ref` substitution and scopes), for display.
    public var targetingSource: JSONValue?
    /// The targeting rule in words, with `$ref`s explained.
    public var targetingText: String?
    public var targeting: Expression?
    public var metadata: [String: JSONValue]
    public var owner: String?
    public var description: String?
    /// Day after which the flag counts as stale, as `YYYY-MM-DD`.
    public var expires: String?
    /// Prioritised scope rules as written, for display.
    public var scopes: [ScopeRule]
    /// Environments that override something for this flag.
    public var environments: [String]
    public var source: SourceLocation
    /// Why the served targeting cannot run (a `$ref` to an evaluator `$evaluators` does not
    /// define): every evaluation answers PARSE_ERROR with this, as flagd does.
    public var targetingProblem: String?
    /// The experiment this flag runs, if it is one.
    public var experiment: ExperimentSpec?
    /// The ramp that moves users off the default variant step by step, if any.
    public var ramp: RampSpec?

    /// Variant names sorted, for stable display.
    public var variantNames: [String] { variants.keys.sorted() }
}
