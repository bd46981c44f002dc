import AlmanacConfig

/// A JsonLogic rule compiled once at load: operator names resolved, `var` paths split,
/// `$ref`s substituted. Evaluation walks this tree and never re-parses JSON.
public indirect enum Expression: Sendable {
    case literal(JSONValue)
    case array([Expression])
    /// `var` with a constant key, its dotted path split at compile time.
    case variable(path: [String], key: JSONValue, fallback: Expression?)
    case operation(Operator, [Expression])
}

/// Every operator the engine knows: JsonLogic's standard set, flagd's additions and Almanac's `slice`.
public enum Operator: String, Sendable, CaseIterable {
    // Logic
    case `if`
    case ternary = "?:"
    case and, or
    case not = "!"
    case truthy = "!!"
    // Equality and comparison
    case equal = "=="
    case notEqual = "!="
    case strictEqual = "==="
    case strictNotEqual = "!=="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
    // Arithmetic
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case min, max
    // Strings and collections
    case cat, substr, `in`, merge, map, filter, reduce, all, some, none, missing
    case missingSome = "missing_some"
    case `var`, log
    // flagd
    case fractional
    case semVer = "sem_ver"
    case startsWith = "starts_with"
    case endsWith = "ends_with"
    // Almanac: true for a stable percentage of users
    case slice
}

/// Why a targeting rule cannot run.
public struct EvaluationFailure: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
