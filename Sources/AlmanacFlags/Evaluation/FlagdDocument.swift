import AlmanacConfig

/// The flags as they serve now, written in flagd's own flag-definition format for clients that
/// evaluate in process (flagd's sync protocol): run-time changes laid over the files (kill switch,
/// default variant), and Almanac's own rules compiled into plain flagd targeting: pins first,
/// then scopes (`slice` as `fractional`), the written targeting, and the ramp's share. A flagd
/// evaluator given this document answers as Almanac's OFREP does.
public enum FlagdDocument {
    /// The document of every flag, or of those defined in `file` (flagd's selector names a source).
    public static func json(_ evaluator: FlagEvaluator, file: String? = nil) -> JSONValue {
        var flags: [String: JSONValue] = [:]
        for (key, flag) in evaluator.effective where file == nil || flag.source.file == file {
            flags[key] = json(flag, runtime: evaluator.runtime)
        }
        var document: [String: JSONValue] = ["flags": .object(flags)]
        if !evaluator.flags.metadata.isEmpty { document["metadata"] = .object(evaluator.flags.metadata) }
        return .object(document)
    }

    static func json(_ flag: Flag, runtime: RuntimeState) -> JSONValue {
        var out: [String: JSONValue] = [
            "state": .string(flag.state.rawValue), "variants": .object(flag.variants),
            "defaultVariant": flag.defaultVariant.map(JSONValue.string) ?? .null,
        ]
        if !flag.metadata.isEmpty { out["metadata"] = .object(flag.metadata) }
        if let targeting = targeting(flag, runtime: runtime) { out["targeting"] = targeting.json }
        return .object(out)
    }

    /// The whole rule: nil when everyone gets the default variant.
    static func targeting(_ flag: Flag, runtime: RuntimeState) -> Expression? {
        var rule = flag.targeting
        if let ramp = flag.ramp, let position = runtime.ramps[flag.key], position.percent > 0 {
            let share = Self.share(ramp.variant, percent: position.percent)
            // The written rule first; users it leaves to the default fall to the ramp.
            rule = rule.map { .operation(.if, [.operation(.strictNotEqual, [$0, .literal(.null)]), $0, share]) } ?? share
        }
        let pins = pinBranches(flag, pins: runtime.pins[flag.key] ?? [:])
        guard !pins.isEmpty else { return rule }
        return .operation(.if, pins + [rule ?? .literal(.null)])
    }

    /// `FlagEvaluator.inRamp` as flagd's `fractional`: the same hash, in thousandths of a percent.
    static func share(_ variant: String, percent: Double) -> Expression {
        let key = Expression.variable(path: ["targetingKey"], key: "targetingKey", fallback: nil)
        guard percent < 100 else { return .operation(.if, [key, .literal(.string(variant)), .literal(.null)]) }
        let weight = Int64((percent * 1000).rounded())
        let split = Expression.operation(
            .fractional, [.literal(.array([.string("ramp"), .int(weight)])), .literal(.array([.string("rest"), .int(100_000 - weight)]))])
        return .operation(.if, [.operation(.equal, [split, .literal(.string("ramp"))]), .literal(.string(variant)), .literal(.null)])
    }

    /// A user's own pin, then their team's, as the evaluator looks them up; pins to a variant a
    /// later edit removed are left out, as the evaluator ignores them.
    static func pinBranches(_ flag: Flag, pins: [PinSubject: String]) -> [Expression] {
        var users: [Expression] = []
        var teams: [Expression] = []
        for (subject, variant) in pins.sorted(by: { $0.key.description < $1.key.description }) where flag.variants[variant] != nil {
            switch subject {
            case .user(let id):
                let key = Expression.variable(path: ["targetingKey"], key: "targetingKey", fallback: nil)
                users += [.operation(.strictEqual, [key, .literal(.string(id))]), .literal(.string(variant))]
            case .team(let name):
                teams += [ScopeCompiler.teamTest([name]), .literal(.string(variant))]
            }
        }
        return users + teams
    }
}

extension Expression {
    /// The rule as JsonLogic, in flagd's dialect: Almanac's `slice` becomes the `fractional` it
    /// equals (the same hash of flag key and targeting key, in hundredths of a percent).
    public var json: JSONValue {
        switch self {
        case .literal(let value): return value
        case .array(let items): return .array(items.map(\.json))
        case .variable(_, let key, let fallback):
            guard let fallback else { return .object(["var": key]) }
            return .object(["var": .array([key, fallback.json])])
        case .operation(.slice, let args):
            guard case .literal(let value)? = args.first, args.count == 1 else { return .bool(false) }
            let percent = Coercion.double(value)
            if percent.isNaN || percent <= 0 { return .bool(false) }
            // `slice` needs a targeting key even at 100%, as `fractional` does.
            if percent >= 100 { return .object(["!!": .array([.object(["var": .string("targetingKey")])])]) }
            let weight = Int64((percent * 100).rounded(.up))
            let split = JSONValue.object([
                "fractional": .array([.array([.string("in"), .int(weight)]), .array([.string("out"), .int(10_000 - weight)])])
            ])
            return .object(["==": .array([split, .string("in")])])
        case .operation(let op, let args):
            return .object([op.rawValue: .array(args.map(\.json))])
        }
    }
}
