/// An experiment's results as the page and the API show them: who is in, whether the split
/// holds, and each metric's analysis with its lift over time.
public struct ExperimentResults: Sendable, Codable {
    public struct Group: Sendable, Codable, Hashable {
        public var name: String
        public var users: Int
    }

    public struct Point: Sendable, Codable, Hashable {
        public var at: Int64
        public var variant: String
        /// The sequential interval: it stays valid read at every point.
        public var expected: Double
        public var lower: Double
        public var upper: Double
    }

    public struct MetricResult: Sendable, Codable {
        public var name: String
        public var event: String
        public var kind: String
        public var guardrail: Bool
        public var lowerIsBetter: Bool
        public var analysis: Analysis?
        /// Why there is no analysis (no event of this name yet).
        public var problem: String?
        public var timeline: [Point]
    }

    public var flag: String
    public var control: String
    public var variants: [String]
    public var weights: [Double]
    public var users: [Group]
    /// Users left out of the analysis, by why (pinned, opted-out, several variants, outside the comparison).
    public var excluded: [Group]
    public var startedAt: Int64?
    public var plannedSampleSize: Int?
    public var plannedDays: Int?
    public var srmPValue: Double
    public var srmFailed: Bool
    public var metrics: [MetricResult]

    /// Per-variant figures of each metric at one moment: sums, or sums with the pre-period's (CUPED).
    public typealias Sums = [String: [String: Statistic]]

    /// Who is in the analysis and whether the split holds: all the list of experiments needs,
    /// read without any metric.
    public struct Split: Sendable, Hashable {
        public var users: [Group]
        public var excluded: [Group]
        public var startedAt: Int64?
        public var srmPValue: Double
        public var srmFailed: Bool
        public var usersInAnalysis: Int { users.reduce(0) { $0 + $1.users } }
        public var usersLeftOut: Int { excluded.reduce(0) { $0 + $1.users } }

        public init(spec: ExperimentSpec, users: [String: Int], excluded: [String: Int], startedAt: Int64?) {
            self.users = spec.variants.map { Group(name: $0, users: users[$0] ?? 0) }
            // Users served a variant outside the comparison (a staff preview) are counted apart.
            var left = excluded
            for (variant, count) in users where !spec.variants.contains(variant) { left["outside the comparison", default: 0] += count }
            self.excluded = left.sorted { $0.key < $1.key }.map { Group(name: $0.key, users: $0.value) }
            self.startedAt = startedAt
            srmPValue = Lift.sampleRatioMismatch(users: spec.variants.map { users[$0] ?? 0 }, weights: spec.weights)
            srmFailed = srmPValue < 0.001
        }
    }

    /// `problems`: why a metric has no figures, by metric name (a selector that matches nothing).
    public init(flag: String, spec: ExperimentSpec, split: Split, now: Sums, history: [(Int64, Sums)], problems: [String: String] = [:]) {
        self.flag = flag
        control = spec.control
        variants = spec.variants
        weights = spec.weights
        users = split.users
        excluded = split.excluded
        startedAt = split.startedAt
        plannedSampleSize = spec.sampleSize
        plannedDays = spec.days
        srmPValue = split.srmPValue
        srmFailed = split.srmFailed
        metrics = spec.metrics.map { metric in
            let sums = now[metric.name] ?? [:]
            let dataset = Self.dataset(spec, metric, sums)
            let converted = sums.values.contains { $0.unadjustedMean != 0 }
            var timeline: [Point] = []
            for (at, past) in history {
                guard let data = Self.dataset(spec, metric, past[metric.name] ?? [:]) else { continue }
                let control = data.variants[0].statistic
                for variant in data.variants.dropFirst() {
                    let lift = Lift.sequential(control: control, variant: variant.statistic)
                    if lift.problem == nil {
                        timeline.append(Point(at: at, variant: variant.name, expected: lift.expected, lower: lift.lower, upper: lift.upper))
                    }
                }
            }
            return MetricResult(
                name: metric.name, event: metric.event,
                kind: metric.kind.rawValue + (metric.cuped.map { ", CUPED over \($0 / 86_400_000) days" } ?? ""),
                guardrail: spec.guardrails.contains(metric.name),
                lowerIsBetter: metric.lowerIsBetter, analysis: converted ? dataset.map { Analysis($0) } : nil,
                problem: problems[metric.name]
                    ?? (converted
                        ? nil
                        : metric.kind.fromSeries
                            ? "its series counted nothing since the first exposure" : "no '\(metric.event)' event from an exposed user yet"),
                timeline: timeline)
        }
    }

    static func dataset(_ spec: ExperimentSpec, _ metric: ExperimentSpec.Metric, _ sums: [String: Statistic]) -> Dataset? {
        let variants = spec.variants.map { name in
            Dataset.Variant(
                name: name,
                statistic: sums[name] ?? .plain(proportional(metric) ? .proportion(n: 0, conversions: 0) : Moments(n: 0, sum: 0, sumSquares: 0)))
        }
        guard variants.allSatisfy({ $0.statistic.n > 1 }) else { return nil }
        var data = Dataset(kind: proportional(metric) ? .proportion : .mean, weights: spec.weights, variants: variants)
        data.inverse = metric.lowerIsBetter
        return data
    }

    static func proportional(_ metric: ExperimentSpec.Metric) -> Bool { metric.kind == .proportion || metric.kind == .ratio }
}
