import AlmanacConfig

/// A flag's `experiment:` block: which variants are compared with which control, on what, for
/// how long, and who is left out. Exposures are the first evaluation of the flag for each
/// targeting key; conversions are events posted with the key.
public struct ExperimentSpec: Sendable, Hashable {
    public struct Metric: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Users with at least one event, out of the users exposed.
            case proportion
            /// The mean per exposed user of the events' values (0 for users without one).
            case mean
            /// A counter from the series store or Prometheus, per variant (its label), per exposed
            /// user; counts per user taken as Poisson, since only the total is known.
            case counter
            /// The share of one counter's events that a second counter also counted (errors over
            /// requests), per variant: each counted event is a unit.
            case ratio

            /// Read from series rather than posted events.
            public var fromSeries: Bool { self == .counter || self == .ratio }
        }

        /// Where a series metric is read: selectors of its counters and the label naming the variant.
        public struct Series: Sendable, Hashable {
            /// The counter (`counter`), or the counter of the ratio's numerator (`ratio`).
            public var numerator: String
            /// The ratio's denominator.
            public var denominator: String?
            public var label: String
        }

        public var name: String
        /// The event name conversions are posted under (the metric's name when not given).
        public var event: String
        public var kind: Kind
        /// Lower is better (errors, latency): a guard fails when the variant is higher.
        public var lowerIsBetter: Bool
        public var series: Series?
        /// CUPED: the same metric over this long before each user's exposure is the covariate (ms).
        public var cuped: Int64?
        public var line: Int
    }

    public var control: String
    /// Compared variants, control first; other variants the flag serves (staff previews) are not.
    public var variants: [String]
    /// The planned split, one weight per compared variant.
    public var weights: [Double]
    public var metrics: [Metric]
    /// Metrics that must not get worse: by name, each one of `metrics`.
    public var guardrails: [String]
    /// Planned users per variant, or days, for the progress shown.
    public var sampleSize: Int?
    public var days: Int?
    /// A context attribute that, when true, serves control and leaves the user out of the analysis.
    public var optOut: String?
    public var line: Int

    static let fields: Set<String> = ["control", "variants", "split", "metrics", "guardrails", "sample_size", "duration", "opt_out"]

    public static func parse(_ node: ConfigNode, variants served: [String]) throws(ConfigError) -> ExperimentSpec {
        try node.onlyFields(fields)
        guard let control = node["control"]?.string else { throw node.error("missing 'control' (the variant the others are compared with)") }
        guard served.contains(control) else { throw node["control"]!.error("'\(control)' is not a variant of the flag") }
        var compared = [control]
        if let list = node["variants"] {
            guard let items = list.elements, items.count >= 2 else { throw list.error("a list of at least two variants, control among them") }
            for item in items {
                guard let name = item.string, served.contains(name) else { throw item.error("not a variant of the flag") }
                if !compared.contains(name) { compared.append(name) }
            }
            guard items.contains(where: { $0.string == control }) else { throw list.error("must include the control, '\(control)'") }
        } else {
            compared += served.filter { $0 != control }.sorted()
        }
        guard compared.count >= 2 else { throw node.error("the flag needs a second variant to compare") }
        var weights = Array(repeating: 1.0, count: compared.count)
        if let split = node["split"] {
            guard let members = split.members else { throw split.error("a map of variant to weight, such as {control: 50, b: 50}") }
            weights = Array(repeating: 0, count: compared.count)
            for member in members {
                guard let index = compared.firstIndex(of: member.key) else { throw member.value.error("not a compared variant") }
                guard let weight = try ConfigNumber.read(member.value), weight > 0 else { throw member.value.error("a weight above 0") }
                weights[index] = weight
            }
            if let missing = compared.indices.first(where: { weights[$0] == 0 }) { throw split.error("no weight for '\(compared[missing])'") }
        }
        guard let metricNodes = node["metrics"]?.elements, !metricNodes.isEmpty else {
            throw (node["metrics"] ?? node).error("a list of metrics, such as {name: scans, event: scan}")
        }
        var metrics: [Metric] = []
        for item in metricNodes {
            let metric = try self.metric(item)
            if metrics.contains(where: { $0.name == metric.name }) { throw item.error("a second metric named '\(metric.name)'") }
            metrics.append(metric)
        }
        var guardrails: [String] = []
        if let list = node["guardrails"] {
            guard let items = list.elements else { throw list.error("a list of metric names") }
            for item in items {
                guard let name = item.string, metrics.contains(where: { $0.name == name }) else { throw item.error("not one of the metrics") }
                guardrails.append(name)
            }
        }
        var sampleSize: Int?
        if let size = node["sample_size"] {
            guard case .int(let value)? = size.scalar, value > 0 else { throw size.error("a whole number of users per variant") }
            sampleSize = Int(value)
        }
        var days: Int?
        if let duration = node["duration"] {
            guard let ms = try DurationText.milliseconds(duration), ms >= 86_400_000, ms % 86_400_000 == 0 else {
                throw duration.error("whole days, such as 14d")
            }
            days = Int(ms / 86_400_000)
        }
        var optOut: String?
        if let attribute = node["opt_out"] {
            guard let name = attribute.string, !name.isEmpty else { throw attribute.error("the context attribute that opts a user out") }
            optOut = name
        }
        return ExperimentSpec(
            control: control, variants: compared, weights: weights, metrics: metrics, guardrails: guardrails, sampleSize: sampleSize, days: days,
            optOut: optOut, line: node.line)
    }

    static func metric(_ node: ConfigNode) throws(ConfigError) -> Metric {
        try node.onlyFields(["name", "event", "kind", "lower_is_better", "series", "numerator", "denominator", "label", "cuped"])
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name'") }
        let kindText = node["kind"]?.string ?? "proportion"
        guard let kind = Metric.Kind(rawValue: kindText) else {
            throw node["kind"]!.error("one of \(Metric.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var lower = false
        if let flag = node["lower_is_better"] {
            guard case .bool(let value)? = flag.scalar else { throw flag.error("true or false") }
            lower = value
        }
        var series: Metric.Series?
        switch kind {
        case .counter:
            guard let counter = node["series"]?.string, !counter.isEmpty else { throw node.error("a counter metric reads 'series' (a selector)") }
            series = Metric.Series(numerator: counter, denominator: nil, label: node["label"]?.string ?? "variant")
        case .ratio:
            guard let numerator = node["numerator"]?.string, !numerator.isEmpty, let denominator = node["denominator"]?.string, !denominator.isEmpty
            else { throw node.error("a ratio metric reads 'numerator' and 'denominator' (selectors of two counters)") }
            series = Metric.Series(numerator: numerator, denominator: denominator, label: node["label"]?.string ?? "variant")
        case .proportion, .mean:
            for field in ["series", "numerator", "denominator", "label"] {
                if let extra = node[field] { throw extra.error("only a counter or ratio metric reads series") }
            }
        }
        if series != nil, let event = node["event"] { throw event.error("a metric read from series takes no events") }
        var cuped: Int64?
        if let window = node["cuped"] {
            guard series == nil else { throw window.error("CUPED needs each user's events before exposure; a series metric has none") }
            guard let ms = try DurationText.milliseconds(window), ms >= 86_400_000, ms % 86_400_000 == 0 else {
                throw window.error("the pre-period in whole days, such as 14d")
            }
            cuped = ms
        }
        return Metric(
            name: name, event: node["event"]?.string ?? name, kind: kind, lowerIsBetter: lower, series: series, cuped: cuped, line: node.line)
    }
}
