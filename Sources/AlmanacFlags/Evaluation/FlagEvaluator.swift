import AlmanacConfig

/// Evaluates flags for a context: the file's flags for this environment with the run-time
/// state laid over them. Immutable and cheap to share; a change builds a new evaluator.
public struct FlagEvaluator: Sendable {
    public let flags: FlagSet
    public let runtime: RuntimeState
    /// Flags with run-time overrides applied.
    public let effective: [String: Flag]
    private let interpreter = Interpreter()

    public init(flags: FlagSet, runtime: RuntimeState = RuntimeState()) {
        self.flags = flags
        self.runtime = runtime
        var effective = flags.flags
        for (key, override) in runtime.overrides {
            guard var flag = effective[key] else { continue }
            if let state = override.state { flag.state = state }
            // A default variant that a later edit removed from the file is ignored, not served broken.
            if let variant = override.defaultVariant, flag.variants[variant] != nil { flag.defaultVariant = variant }
            effective[key] = flag
        }
        self.effective = effective
    }

    /// Evaluates `key` for `context` (the OFREP context object) at `timestamp` (Unix seconds).
    public func evaluate(_ key: String, context: [String: JSONValue], timestamp: Int64) -> Resolution {
        guard let flag = effective[key] else {
            return .failure(key, .flagNotFound, "flag '\(key)' is not defined")
        }
        var resolution = resolve(flag, context: context, timestamp: timestamp)
        if flags.metadata.isEmpty {
            resolution.metadata = flag.metadata
        } else {
            resolution.metadata = flags.metadata.merging(flag.metadata) { _, own in own }
        }
        return resolution
    }

    /// Evaluates every flag, in key order.
    public func evaluateAll(context: [String: JSONValue], timestamp: Int64) -> [Resolution] {
        effective.keys.sorted().map { evaluate($0, context: context, timestamp: timestamp) }
    }

    private func resolve(_ flag: Flag, context: [String: JSONValue], timestamp: Int64) -> Resolution {
        if flag.state == .disabled {
            return Resolution(key: flag.key, value: nil, variant: nil, reason: .disabled)
        }
        if let pinned = pin(for: flag, context: context) {
            var resolution = Resolution(key: flag.key, value: flag.variants[pinned], variant: pinned, reason: .targetingMatch)
            resolution.pinned = true
            return resolution
        }
        if let problem = flag.targetingProblem { return .failure(flag.key, .parseError, problem) }
        // With pins there is a rule, and the others are its default (as flagd reads the pins compiled).
        guard let targeting = flag.targeting else {
            return serveRest(flag, context: context, reason: runtime.pins[flag.key]?.isEmpty == false ? .default : .static)
        }
        var data = context
        data["targetingKey"] = context["targetingKey"].flatMap { $0.stringValue.map(JSONValue.string) } ?? .null
        data["$flagd"] = .object(["flagKey": .string(flag.key), "timestamp": .int(timestamp)])
        let result: JSONValue
        do throws(EvaluationFailure) {
            result = try interpreter.evaluate(targeting, data: .object(data))
        } catch {
            return .failure(flag.key, .general, "targeting failed: \(error.message)")
        }
        let variant: String
        switch result {
        case .null: return serveRest(flag, context: context, reason: .default)
        case .string(let name): variant = name
        case .bool(let b): variant = b ? "true" : "false"
        case .int(let i): variant = String(i)
        case .double(let d): variant = Self.pythonString(d)
        case .array, .object: variant = Coercion.string(result)
        }
        guard let value = flag.variants[variant] else {
            return .failure(flag.key, .general, "targeting chose variant '\(variant)', which the flag does not define")
        }
        return Resolution(key: flag.key, value: value, variant: variant, reason: .targetingMatch)
    }

    /// Users no rule chose: the ramp's share of them gets its variant, the others the default. As
    /// in flagd, whom a ramp's rule placed is a targeting match, and the rest a default.
    private func serveRest(_ flag: Flag, context: [String: JSONValue], reason: Reason) -> Resolution {
        guard let ramp = flag.ramp, let position = runtime.ramps[flag.key], position.percent > 0 else { return serveDefault(flag, reason: reason) }
        if case .string(let key)? = context["targetingKey"], !key.isEmpty,
            Self.inRamp(flagKey: flag.key, targetingKey: key, percent: position.percent), let value = flag.variants[ramp.variant]
        {
            return Resolution(key: flag.key, value: value, variant: ramp.variant, reason: .targetingMatch)
        }
        return serveDefault(flag, reason: .default)
    }

    /// flagd's `fractional` over `[variant, percent × 1000]` and `[default, (100 − percent) × 1000]`,
    /// so an in-process flagd provider fed the compiled rule picks the same users; a user in
    /// the ramp stays in it as the share grows.
    public static func inRamp(flagKey: String, targetingKey: String, percent: Double) -> Bool {
        Interpreter.bucket(flagKey: flagKey, targetingKey: targetingKey, totalWeight: 100_000) < UInt64((min(percent, 100) * 1000).rounded())
    }

    private func serveDefault(_ flag: Flag, reason: Reason) -> Resolution {
        guard let variant = flag.defaultVariant, let value = flag.variants[variant] else {
            return Resolution(key: flag.key, value: nil, variant: nil, reason: .default)
        }
        return Resolution(key: flag.key, value: value, variant: variant, reason: reason)
    }

    /// A user's own pin wins over their team's.
    private func pin(for flag: Flag, context: [String: JSONValue]) -> String? {
        guard let pins = runtime.pins[flag.key], !pins.isEmpty else { return nil }
        if case .string(let user)? = context["targetingKey"], let variant = pins[.user(user)], flag.variants[variant] != nil {
            return variant
        }
        let teams: [String]
        switch context["team"] {
        case .string(let team)?: teams = [team]
        case .array(let items)?: teams = items.compactMap(\.stringValue)
        default: teams = []
        }
        for team in teams {
            if let variant = pins[.team(team)], flag.variants[variant] != nil { return variant }
        }
        return nil
    }

    /// `str(float)` as the reference evaluator names a numeric variant: `1.0`, `2.5`.
    static func pythonString(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e16 ? "\(Int64(d)).0" : "\(d)"
    }
}
