import AlmanacConfig

/// The outcome of evaluating one flag for one context.
public struct Resolution: Sendable, Hashable {
    public var key: String
    /// The served value; nil when the caller's own code default applies (disabled flag, no default variant).
    public var value: JSONValue?
    /// The variant served; nil when the code default applies.
    public var variant: String?
    public var reason: Reason
    public var errorCode: ErrorCode?
    public var errorMessage: String?
    public var metadata: [String: JSONValue]
    /// Served by a user's or team's pin, not by the rules: an experiment leaves such users out.
    public var pinned = false

    public init(
        key: String, value: JSONValue?, variant: String?, reason: Reason,
        errorCode: ErrorCode? = nil, errorMessage: String? = nil, metadata: [String: JSONValue] = [:]
    ) {
        self.key = key
        self.value = value
        self.variant = variant
        self.reason = reason
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.metadata = metadata
    }

    static func failure(_ key: String, _ code: ErrorCode, _ message: String) -> Resolution {
        Resolution(key: key, value: nil, variant: nil, reason: .error, errorCode: code, errorMessage: message)
    }
}
