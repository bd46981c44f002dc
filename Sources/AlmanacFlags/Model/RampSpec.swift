import AlmanacConfig

/// A flag's `ramp:` block: the share of users who get `variant` instead of the default goes up
/// step by step on a schedule, each step only while the guards hold.
public struct RampSpec: Sendable, Hashable {
    public enum Failure: String, Sendable, Hashable, CaseIterable {
        /// Stay at the current share until a person resumes or reverts.
        case hold
        /// Back to 0%: everyone gets the default again.
        case revert
    }

    /// A counter ratio (errors over requests) read per variant from series labelled with it.
    public struct Guardrail: Sendable, Hashable {
        public var name: String
        /// Selectors of the two counters; each series carries the variant in `label`.
        public var errors: String
        public var total: String
        public var label: String
        /// How much worse (absolute, 0.01 = one point of the ratio) the variant may be.
        public var margin: Double
        public var line: Int
    }

    /// An SLO whose burn rate over the last hour must stay at or under `maxBurn`.
    public struct BurnGuard: Sendable, Hashable {
        public var slo: String
        public var maxBurn: Double
        public var line: Int
    }

    public var variant: String
    /// Percentages, each above the one before, the last at most 100.
    public var steps: [Double]
    /// How long each step serves before the next (milliseconds).
    public var every: Int64
    public var onFailure: Failure
    public var slos: [BurnGuard]
    /// Alert rules that must not fire.
    public var alerts: [String]
    public var guardrails: [Guardrail]
    public var line: Int

    static let fields: Set<String> = ["variant", "steps", "every", "on_failure", "guards"]
    static let guardFields: Set<String> = ["slos", "alerts", "guardrails"]

    /// Reads the block; `defaultVariant` is what users outside the ramp's share get.
    public static func parse(_ node: ConfigNode, variants: [String], defaultVariant: String?) throws(ConfigError) -> RampSpec {
        try node.onlyFields(fields)
        guard let variant = node["variant"]?.string else { throw node.error("missing 'variant' (the variant the ramp serves to more users)") }
        guard variants.contains(variant) else { throw node["variant"]!.error("'\(variant)' is not a variant of the flag") }
        if variant == defaultVariant { throw node["variant"]!.error("'\(variant)' is already the default variant; a ramp moves users off it") }
        guard let stepsNode = node["steps"], let items = stepsNode.elements, !items.isEmpty else {
            throw (node["steps"] ?? node).error("a list of percentages, such as [1, 10, 50, 100]")
        }
        var steps: [Double] = []
        for item in items {
            guard let percent = try ConfigNumber.read(item), percent > 0 else { throw item.error("a percentage above 0") }
            if percent > 100 { throw item.error("\(ConfigNumber.text(percent))% is above 100") }
            if let last = steps.last, percent <= last {
                throw item.error("steps must go up (\(ConfigNumber.text(last)) then \(ConfigNumber.text(percent))); a ramp goes down only by revert")
            }
            steps.append(percent)
        }
        guard let everyNode = node["every"] else { throw node.error("missing 'every' (how long each step serves, such as 1h)") }
        guard let every = try DurationText.milliseconds(everyNode), every > 0 else { throw everyNode.error("a duration such as 30m") }
        var failure = Failure.hold
        if let text = node["on_failure"] {
            guard let value = text.string.flatMap(Failure.init(rawValue:)) else { throw text.error("hold or revert") }
            failure = value
        }
        var spec = RampSpec(variant: variant, steps: steps, every: every, onFailure: failure, slos: [], alerts: [], guardrails: [], line: node.line)
        if let guards = node["guards"] { try spec.readGuards(guards) }
        return spec
    }

    private mutating func readGuards(_ node: ConfigNode) throws(ConfigError) {
        try node.onlyFields(Self.guardFields)
        if let list = node["slos"] {
            guard let items = list.elements else { throw list.error("a list such as [{slo: search-availability, max_burn: 2}]") }
            for item in items {
                try item.onlyFields(["slo", "max_burn"])
                guard let name = item["slo"]?.string, !name.isEmpty else { throw item.error("missing 'slo' (an SLO's name)") }
                let burn = try ConfigNumber.read(item["max_burn"]) ?? 1
                guard burn > 0 else { throw item["max_burn"]!.error("a burn rate above 0") }
                slos.append(BurnGuard(slo: name, maxBurn: burn, line: item.line))
            }
        }
        if let list = node["alerts"] {
            guard let items = list.elements else { throw list.error("a list of alert rule names") }
            for item in items {
                guard let name = item.string, !name.isEmpty else { throw item.error("an alert rule's name") }
                alerts.append(name)
            }
        }
        if let list = node["guardrails"] {
            guard let items = list.elements else { throw list.error("a list such as [{name: errors, errors: ..., total: ..., margin: 0.01}]") }
            for item in items { guardrails.append(try Self.guardrail(item)) }
        }
    }

    static func guardrail(_ node: ConfigNode) throws(ConfigError) -> Guardrail {
        try node.onlyFields(["name", "errors", "total", "label", "margin"])
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name'") }
        guard let errors = node["errors"]?.string, !errors.isEmpty else { throw node.error("missing 'errors' (the counter of bad events)") }
        guard let total = node["total"]?.string, !total.isEmpty else { throw node.error("missing 'total' (the counter of all events)") }
        let margin = try ConfigNumber.read(node["margin"]) ?? 0
        guard margin >= 0, margin < 1 else { throw node["margin"]!.error("a difference of the ratio between 0 and 1, such as 0.01") }
        return Guardrail(name: name, errors: errors, total: total, label: node["label"]?.string ?? "variant", margin: margin, line: node.line)
    }
}
