/// Changes made at run time through the admin API, kept in the database and laid over the
/// flags from files: kill switches, changed default variants and per-user or per-team pins.
public struct RuntimeState: Sendable, Hashable {
    public var overrides: [String: FlagOverride]
    /// Pins by flag key, then subject.
    public var pins: [String: [PinSubject: String]]
    /// Where each flag's ramp stands, by flag key.
    public var ramps: [String: RampPosition]

    public init(overrides: [String: FlagOverride] = [:], pins: [String: [PinSubject: String]] = [:], ramps: [String: RampPosition] = [:]) {
        self.overrides = overrides
        self.pins = pins
        self.ramps = ramps
    }
}

/// A run-time change to one flag; nil fields leave the file's value.
public struct FlagOverride: Sendable, Hashable {
    public var state: FlagState?
    public var defaultVariant: String?

    public init(state: FlagState? = nil, defaultVariant: String? = nil) {
        self.state = state
        self.defaultVariant = defaultVariant
    }
}

/// Who a pin is for: one user (matched against the targeting key) or a team (the `team` attribute).
public enum PinSubject: Sendable, Hashable, CustomStringConvertible {
    case user(String)
    case team(String)

    /// Parses `user:ID` or `team:NAME`.
    public init?(_ text: String) {
        if text.hasPrefix("user:"), text.count > 5 {
            self = .user(String(text.dropFirst(5)))
        } else if text.hasPrefix("team:"), text.count > 5 {
            self = .team(String(text.dropFirst(5)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .user(let id): return "user:\(id)"
        case .team(let name): return "team:\(name)"
        }
    }
}
