/// One run-time change an operator can make through the admin API or CLI.
public enum RuntimeChange: Sendable, Hashable {
    /// Kill switch: DISABLED stops serving, ENABLED serves again, nil returns to the file's state.
    case setState(flagKey: String, state: FlagState?)
    /// Serve another default variant; nil returns to the file's.
    case setDefaultVariant(flagKey: String, variant: String?)
    /// A user or team always gets `variant` (opt in or out), unless the flag is disabled.
    case pin(flagKey: String, subject: PinSubject, variant: String)
    case unpin(flagKey: String, subject: PinSubject)
    /// A ramp moves: `action` names why (`ramp-step`, `ramp-hold`, `ramp-resume`, ...).
    case ramp(flagKey: String, position: RampPosition, action: String)

    public var flagKey: String {
        switch self {
        case .setState(let key, _), .setDefaultVariant(let key, _), .pin(let key, _, _), .unpin(let key, _), .ramp(let key, _, _):
            return key
        }
    }

    /// The audit log's name for the change.
    public var action: String {
        switch self {
        case .setState(_, .disabled?): return "disable"
        case .setState(_, .enabled?): return "enable"
        case .setState(_, nil): return "reset-state"
        case .setDefaultVariant: return "set-default-variant"
        case .pin: return "pin"
        case .unpin: return "unpin"
        case .ramp(_, _, let action): return action
        }
    }

    public var subject: PinSubject? {
        switch self {
        case .pin(_, let subject, _), .unpin(_, let subject): return subject
        default: return nil
        }
    }

    /// The new value, for the audit log.
    public var after: String? {
        switch self {
        case .setState(_, let state): return state?.rawValue
        case .setDefaultVariant(_, let variant): return variant
        case .pin(_, _, let variant): return variant
        case .unpin: return nil
        case .ramp(_, let position, _): return position.summary
        }
    }

    /// Checks the change against the flags now loaded; nil when it is acceptable.
    public func problem(in flags: FlagSet) -> ChangeProblem? {
        guard let flag = flags.flags[flagKey] else { return .unknownFlag(flagKey) }
        if case .ramp = self, flag.ramp == nil { return .noRamp(flagKey) }
        let variant: String?
        switch self {
        case .setDefaultVariant(_, let v): variant = v
        case .pin(_, _, let v): variant = v
        default: variant = nil
        }
        if let variant, flag.variants[variant] == nil {
            return .unknownVariant(flagKey, variant, known: flag.variantNames)
        }
        return nil
    }

    /// The runtime state after this change.
    public func applied(to state: RuntimeState) -> RuntimeState {
        var state = state
        switch self {
        case .setState(let key, let value):
            state.overrides[key, default: FlagOverride()].state = value
        case .setDefaultVariant(let key, let value):
            state.overrides[key, default: FlagOverride()].defaultVariant = value
        case .pin(let key, let subject, let variant):
            state.pins[key, default: [:]][subject] = variant
        case .unpin(let key, let subject):
            state.pins[key]?[subject] = nil
        case .ramp(let key, let position, _):
            state.ramps[key] = position
        }
        return state
    }
}

/// Why a run-time change does not fit the flags now loaded.
public enum ChangeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// No flag has this key.
    case unknownFlag(String)
    /// The flag has no such variant.
    case unknownVariant(String, String, known: [String])
    /// The flag's file has no `ramp:` block.
    case noRamp(String)

    public var description: String {
        switch self {
        case .unknownFlag(let key): return "flag '\(key)' is not defined"
        case .unknownVariant(let key, let variant, let known):
            return "flag '\(key)' has no variant '\(variant)' (variants: \(known.joined(separator: ", ")))"
        case .noRamp(let key): return "flag '\(key)' has no ramp in its file"
        }
    }
}
