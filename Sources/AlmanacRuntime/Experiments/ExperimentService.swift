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

    public init(flags: FlagService, store: SQLExperimentStore, clock: WallClock) {
        self.flags = flags
        self.store = store
        self.clock = clock
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
        public var variant: String
        public var targetingKey: String
        public var event: String?
        public var value: Double
        public var at: Int64?

        public init(id: String, kind: Kind, flag: String, variant: String, targetingKey: String, event: String?, value: Double, at: Int64?) {
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
            guard spec.variants.contains(e.variant) else {
                throw fail("variant", "'\(e.variant)' is not a compared variant of \(e.flag) (\(spec.variants.joined(separator: ", ")))")
            }
            guard !e.targetingKey.isEmpty, e.targetingKey.utf8.count <= 256 else { throw fail("targeting_key", "required, at most 256 bytes") }
            guard e.value.isFinite else { throw fail("value", "a finite number") }
            let at = e.at ?? now
            guard at <= now + 300_000 else { throw fail("timestamp", "more than five minutes in the future") }
            switch e.kind {
            case .exposure:
                exposures.append(.init(flagKey: e.flag, targetingKey: e.targetingKey, variant: e.variant, at: at))
            case .conversion:
                guard let name = e.event, spec.metrics.contains(where: { $0.event == name }) else {
                    throw fail("event", "one of \(spec.metrics.map(\.event).joined(separator: ", ")) (the metrics of \(e.flag))")
                }
                conversions.append(
                    .init(id: e.id, flagKey: e.flag, targetingKey: e.targetingKey, variant: e.variant, event: name, value: e.value, at: at))
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
        var history: [(Int64, ExperimentResults.Sums)] = []
        if let first = population.firstAt, now - first > 3_600_000 {
            let step = max(3_600_000, (now - first) / 30)
            var at = first + step
            while at < now {
                history.append((at, try await sums(flagKey, spec, until: at)))
                at += step
            }
        }
        let current = try await sums(flagKey, spec, until: now)
        history.append((now, current))
        return ExperimentResults(flag: flagKey, spec: spec, split: Self.split(spec, population), now: current, history: history)
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

    func sums(_ flagKey: String, _ spec: ExperimentSpec, until: Int64) async throws -> ExperimentResults.Sums {
        var out: ExperimentResults.Sums = [:]
        for metric in spec.metrics {
            out[metric.name] = try await store.moments(flagKey: flagKey, event: metric.event, kind: metric.kind, until: until)
        }
        return out
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
