/// Why an evaluation produced its value, as OpenFeature and flagd name it.
public enum Reason: String, Sendable, Hashable, Codable {
    case `static` = "STATIC"
    case targetingMatch = "TARGETING_MATCH"
    case `default` = "DEFAULT"
    case disabled = "DISABLED"
    case error = "ERROR"
}

/// What went wrong in an evaluation, as OpenFeature and flagd name it.
public enum ErrorCode: String, Sendable, Hashable, Codable {
    case flagNotFound = "FLAG_NOT_FOUND"
    case parseError = "PARSE_ERROR"
    case typeMismatch = "TYPE_MISMATCH"
    case invalidContext = "INVALID_CONTEXT"
    case general = "GENERAL"
}
