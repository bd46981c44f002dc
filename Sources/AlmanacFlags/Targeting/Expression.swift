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
    case `if`, ternary = "?:", and, or, not = "!", truthy = "!!"
    // Equality and comparison
    case equal = "==", notEqual = "!=", strictEqual = "===", strictNotEqual = "!=="
    case less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
    // Arithmetic
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", min, max
    // Strings and collections
    case cat, substr, `in`, merge, map, filter, reduce, all, some, none, missing
    case missingSome = "missing_some", `var`, log
    // flagd
    case fractional, semVer = "sem_ver", startsWith = "starts_with", endsWith = "ends_with"
    // Almanac: true for a stable percentage of users
    case slice
}

/// Why a targeting rule cannot run.
public struct EvaluationFailure: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
