import AlmanacConfig
import AlmanacExperiments
import AlmanacFlags
import AlmanacStorage
import Foundation

/// Experiments: the flags that run one, the events clients post, and the results people read.
/// Every figure comes from `AlmanacExperiments`; this reads the exposures and events it needs.
public struct ExperimentService: Sendable {
    public let flags: FlagService
    public let store: SQLExperimentStore
    public let clock: WallClock
    /// Where counter and ratio metrics are read: the local store or the Prometheus of
    /// `monitoring/source.yaml`; nil leaves them without figures.
    let source: (@Sendable () -> any SeriesSource)?

    public init(flags: FlagService, store: SQLExperimentStore, clock: WallClock, source: (@Sendable () -> any SeriesSource)? = nil) {
        self.flags = flags
        self.store = store
        self.clock = clock
        self.source = source
    }

    /// A request field that is wrong, named as the request has it.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    /// One posted event: a conversion (an event a metric counts) or an exposure from a client
    /// that evaluates in process.
    public struct EventInput: Sendable {
        public enum Kind: String, Sendable { case conversion, exposure }
        public var id: String
        public var kind: Kind
        public var flag: String
        /// Left out by a client that posts a user's events before their exposure (CUPED's pre-period).
        public var variant: String?
        public var targetingKey: String
        public var event: String?
        public var value: Double
        public var at: Int64?

        public init(id: String, kind: Kind, flag: String, variant: String?, targetingKey: String, event: String?, value: Double, at: Int64?) {
            self.id = id
            self.kind = kind
            self.flag = flag
            self.variant = variant
            self.targetingKey = targetingKey
            self.event = event
            self.value = value
            self.at = at
        }
    }

    public static let batchLimit = 10_000

    /// The experiments that serve now, by flag key.
    public func experiments() -> [(flag: Flag, spec: ExperimentSpec)] {
        flags.evaluator.effective.values.compactMap { flag in flag.experiment.map { (flag, $0) } }.sorted { $0.flag.key < $1.flag.key }
    }

    /// Checks every event, then stores them all or none; returns how many conversions were new
    /// (a repeated id counts once) and how many exposures came.
    public func ingest(_ events: [EventInput]) async throws -> (conversions: Int, exposures: Int) {
        guard events.count <= Self.batchLimit else { throw Problem(field: "events", message: "at most \(Self.batchLimit) events a request") }
        let specs = Dictionary(uniqueKeysWithValues: experiments().map { ($0.flag.key, $0.spec) })
        let now = clock.milliseconds()
        var conversions: [SQLExperimentStore.Event] = []
        var exposures: [SQLExperimentStore.Exposure] = []
        for (i, e) in events.enumerated() {
            func fail(_ field: String, _ message: String) -> Problem { Problem(field: "events[\(i)].\(field)", message: message) }
            guard !e.id.isEmpty, e.id.utf8.count <= 128 else { throw fail("id", "required, at most 128 bytes") }
            guard let spec = specs[e.flag] else { throw fail("flag", "'\(e.flag)' is not an experiment's flag") }
            if let variant = e.variant, !spec.variants.contains(variant) {
                throw fail("variant", "'\(variant)' is not a compared variant of \(e.flag) (\(spec.variants.joined(separator: ", ")))")
            }
            guard !e.targetingKey.isEmpty, e.targetingKey.utf8.count <= 256 else { throw fail("targeting_key", "required, at most 256 bytes") }
            guard e.value.isFinite else { throw fail("value", "a finite number") }
            let at = e.at ?? now
            guard at <= now + 300_000 else { throw fail("timestamp", "more than five minutes in the future") }
            switch e.kind {
            case .exposure:
                guard let variant = e.variant else { throw fail("variant", "required: the variant the user was served") }
                exposures.append(.init(flagKey: e.flag, targetingKey: e.targetingKey, variant: variant, at: at))
            case .conversion:
                let posted = spec.metrics.filter { !$0.kind.fromSeries }.map(\.event)
                guard let name = e.event, posted.contains(name) else {
                    throw fail("event", "one of \(posted.joined(separator: ", ")) (the metrics of \(e.flag) that count posted events)")
                }
                conversions.append(
                    .init(id: e.id, flagKey: e.flag, targetingKey: e.targetingKey, variant: e.variant ?? "", event: name, value: e.value, at: at))
            }
        }
        return (try await store.record(exposures, events: conversions), exposures.count)
    }
}

extension ExperimentService {
    /// The results of `flagKey`'s experiment now, with each metric's lift at up to 30 moments
    /// since the first exposure; nil when the flag runs no experiment.
    public func results(_ flagKey: String) async throws -> ExperimentResults? {
        guard let spec = flags.evaluator.effective[flagKey]?.experiment else { return nil }
        let now = clock.milliseconds()
        let population = try await store.population(flagKey: flagKey, until: now)
        let (series, problems) = try await readSeries(spec, from: population.firstAt, to: now)
        var history: [(Int64, ExperimentResults.Sums)] = []
        if let first = population.firstAt, now - first > 3_600_000 {
            let step = max(3_600_000, (now - first) / 30)
            var at = first + step
            while at < now {
                history.append((at, try await sums(flagKey, spec, until: at, series: series)))
                at += step
            }
        }
        let current = try await sums(flagKey, spec, until: now, series: series)
        history.append((now, current))
        return ExperimentResults(
            flag: flagKey, spec: spec, split: Self.split(spec, population), now: current, history: history, problems: problems)
    }

    /// Every experiment with who is in it and whether its split holds: no metric is read.
    public func summaries() async throws -> [(flag: Flag, spec: ExperimentSpec, split: ExperimentResults.Split)] {
        let now = clock.milliseconds()
        var out: [(Flag, ExperimentSpec, ExperimentResults.Split)] = []
        for (flag, spec) in experiments() {
            out.append((flag, spec, Self.split(spec, try await store.population(flagKey: flag.key, until: now))))
        }
        return out
    }

    static func split(_ spec: ExperimentSpec, _ population: SQLExperimentStore.Population) -> ExperimentResults.Split {
        ExperimentResults.Split(spec: spec, users: population.users, excluded: population.excluded, startedAt: population.firstAt)
    }

    func sums(
        _ flagKey: String, _ spec: ExperimentSpec, until: Int64, series: [String: ExperimentSeries]
    ) async throws
        -> ExperimentResults.Sums
    {
        var out: ExperimentResults.Sums = [:]
        for metric in spec.metrics {
            switch metric.kind {
            case .proportion, .mean:
                if let window = metric.cuped {
                    out[metric.name] = try await store.adjusted(
                        flagKey: flagKey, event: metric.event, kind: metric.kind, window: window, until: until)
                } else {
                    out[metric.name] = try await store.moments(flagKey: flagKey, event: metric.event, kind: metric.kind, until: until)
                        .mapValues(Statistic.plain)
                }
            case .counter:
                guard let read = series[metric.name] else { continue }
                let users = try await store.population(flagKey: flagKey, until: until).users
                out[metric.name] = SeriesMetric.counter(users: users, counts: read.counts(read.numerator, through: until)).mapValues(Statistic.plain)
            case .ratio:
                guard let read = series[metric.name] else { continue }
                out[metric.name] = SeriesMetric.ratio(
                    numerator: read.counts(read.numerator, through: until), denominator: read.counts(read.denominator, through: until)
                ).mapValues(Statistic.plain)
            }
        }
        return out
    }

    /// Each series metric's counters since the first exposure, read once; or why a metric has none.
    func readSeries(_ spec: ExperimentSpec, from first: Int64?, to now: Int64) async throws -> ([String: ExperimentSeries], [String: String]) {
        var read: [String: ExperimentSeries] = [:]
        var problems: [String: String] = [:]
        for metric in spec.metrics {
            guard let series = metric.series else { continue }
            guard let source, let first else {
                problems[metric.name] = source == nil ? "no series source is configured" : "nobody was exposed yet"
                continue
            }
            switch try await ExperimentSeries.read(series, source: source(), from: first, to: now) {
            case .success(let counters): read[metric.name] = counters
            case .failure(let problem): problems[metric.name] = problem.why
            }
        }
        return (read, problems)
    }

    /// Records a decision (ship, stop, keep-running) in the audit log.
    public func decide(_ flagKey: String, decision: String, actor: String, comment: String) async throws {
        guard flags.evaluator.effective[flagKey]?.experiment != nil else { throw Problem(field: "flag", message: "'\(flagKey)' runs no experiment") }
        guard ["ship", "stop", "keep-running"].contains(decision) else { throw Problem(field: "decision", message: "ship, stop or keep-running") }
        guard !comment.isEmpty, comment.count <= 2000 else { throw Problem(field: "comment", message: "why, in at most 2,000 characters") }
        try await store.decide(flagKey: flagKey, decision: decision, actor: actor, comment: comment, at: clock.milliseconds())
    }

    public func decisions(_ flagKey: String) async throws -> [AuditEntry] { try await store.decisions(flagKey: flagKey) }
}
