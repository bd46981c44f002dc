import AlmanacConfig

/// Per-variant sums of one metric, as a file (JSON or YAML) an analyst exports from anywhere:
/// what `almanac experiment analyze` reads, and what the stored exposures and conversions
/// become before they are analysed.
public struct Dataset: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case proportion
        case mean
        case ratio
    }

    public struct Variant: Sendable {
        public var name: String
        public var statistic: Statistic
    }

    public var kind: Kind
    public var difference: Lift.Difference
    public var alpha: Double
    /// The planned split, one weight per variant (equal when not given).
    public var weights: [Double]
    public var variants: [Variant]
    /// Lower is better: the chance to beat control and the risks read the other way.
    public var inverse = false

    public init(kind: Kind, difference: Lift.Difference = .relative, alpha: Double = 0.05, weights: [Double], variants: [Variant]) {
        self.kind = kind
        self.difference = difference
        self.alpha = alpha
        self.weights = weights
        self.variants = variants
    }

    static let fields: Set<String> = ["kind", "difference", "alpha", "weights", "cuped", "variants", "inverse"]
    static let variantFields: Set<String> = [
        "name", "n", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares", "sum_products", "pre_sum", "pre_sum_squares",
    ]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> Dataset {
        try root.onlyFields(fields)
        let kindText = root["kind"]?.string ?? "proportion"
        guard let kind = Kind(rawValue: kindText) else {
            throw (root["kind"] ?? root).error("one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let difference = Lift.Difference(rawValue: root["difference"]?.string ?? "relative") else {
            throw root["difference"]!.error("relative or absolute")
        }
        let alpha = try ConfigNumber.read(root["alpha"]) ?? 0.05
        guard alpha > 0, alpha < 1 else { throw root["alpha"]!.error("between 0 and 1, such as 0.05") }
        var cuped = false
        if let node = root["cuped"] {
            guard case .bool(let value)? = node.scalar else { throw node.error("true or false") }
            cuped = value
        }
        guard let nodes = root["variants"]?.elements, nodes.count >= 2 else {
            throw (root["variants"] ?? root).error("a list of at least two variants, control first")
        }
        var variants: [Variant] = []
        for node in nodes { variants.append(try variant(node, kind: kind, cuped: cuped)) }
        var weights = Array(repeating: 1.0 / Double(nodes.count), count: nodes.count)
        if let node = root["weights"] {
            guard let items = node.elements, items.count == nodes.count else { throw node.error("one weight per variant") }
            weights = []
            for item in items {
                guard let weight = try ConfigNumber.read(item), weight >= 0 else { throw item.error("a weight of 0 or more") }
                weights.append(weight)
            }
            guard weights.reduce(0, +) > 0 else { throw node.error("the weights add up to 0") }
        }
        var data = Dataset(kind: kind, difference: difference, alpha: alpha, weights: weights, variants: variants)
        if let node = root["inverse"] {
            guard case .bool(let value)? = node.scalar else { throw node.error("true or false (lower is better)") }
            data.inverse = value
        }
        return data
    }

    static func variant(_ node: ConfigNode, kind: Kind, cuped: Bool) throws(ConfigError) -> Variant {
        try node.onlyFields(variantFields)
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name'") }
        func number(_ field: String, required: Bool = true) throws(ConfigError) -> Double {
            guard let value = try ConfigNumber.read(node[field]) else {
                if required { throw node.error("missing '\(field)'") }
                return 0
            }
            guard value.isFinite else { throw node[field]!.error("a finite number") }
            return value
        }
        let n = try number("n")
        guard n >= 0, n == n.rounded() else { throw node["n"]!.error("a whole number of units") }
        let count = Int(n)
        let sum = try number("sum")
        var post: Moments
        switch kind {
        case .proportion:
            guard sum >= 0, sum <= n else { throw node["sum"]!.error("conversions between 0 and n") }
            post = .proportion(n: count, conversions: sum)
        case .mean, .ratio:
            post = Moments(n: count, sum: sum, sumSquares: try number("sum_squares"))
        }
        if kind == .ratio {
            let denominator = Moments(n: count, sum: try number("denominator_sum"), sumSquares: try number("denominator_sum_squares"))
            return Variant(name: name, statistic: .ratio(numerator: post, denominator: denominator, sumProducts: try number("sum_products")))
        }
        guard cuped else { return Variant(name: name, statistic: .plain(post)) }
        let preSum = try number("pre_sum")
        let pre =
            kind == .proportion
            ? .proportion(n: count, conversions: preSum) : Moments(n: count, sum: preSum, sumSquares: try number("pre_sum_squares"))
        return Variant(name: name, statistic: .adjusted(post: post, pre: pre, sumProducts: try number("sum_products"), theta: 0))
    }
}

/// Every variant against control, on every method, with the split's check first.
public struct Analysis: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var name: String
        public var users: Int
        public var mean: Double
        /// Against control; nil on control's own row.
        public var frequentist: Lift.Frequentist?
        public var sequential: Lift.Frequentist?
        public var bayesian: Lift.Bayesian?
    }

    public var srmPValue: Double
    /// The split looks broken (p < 0.001): no other figure should be trusted.
    public var srmFailed: Bool
    public var variants: [Row]

    public init(_ data: Dataset) {
        srmPValue = Lift.sampleRatioMismatch(users: data.variants.map(\.statistic.n), weights: data.weights)
        srmFailed = srmPValue < 0.001
        let control = data.variants[0].statistic
        variants = data.variants.enumerated().map { index, variant in
            let s = variant.statistic
            guard index > 0 else { return Row(name: variant.name, users: s.n, mean: s.unadjustedMean) }
            return Row(
                name: variant.name, users: s.n, mean: s.unadjustedMean,
                frequentist: Lift.tTest(control: control, variant: s, difference: data.difference, alpha: data.alpha),
                sequential: Lift.sequential(control: control, variant: s, difference: data.difference, alpha: data.alpha),
                bayesian: Lift.bayesian(control: control, variant: s, difference: data.difference, alpha: data.alpha, inverse: data.inverse))
        }
    }
}
