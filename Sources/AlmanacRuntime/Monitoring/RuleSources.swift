import AlmanacAlerts
import Synchronization

/// Rules another domain computes itself (SLO burn rates over several windows), evaluated with
/// the monitoring rules each round, so their alerts share notifications, silences,
/// acknowledgements and history.
public final class RuleSources: Sendable {
    /// A source that cannot compute fails the round, so its alerts stay as they were rather than resolve.
    public typealias Source = @Sendable (_ now: Int64) async throws -> [(rule: AlertRule, results: [RuleResult])]
    /// Silences another domain holds open (maintenance windows), matched like stored ones.
    public typealias SilenceSource = @Sendable (_ now: Int64) -> [Silence]
    private let sources = Mutex<[Source]>([])
    private let silenceSources = Mutex<[SilenceSource]>([])

    public init() {}

    public func add(_ source: @escaping Source) { sources.withLock { $0.append(source) } }
    public func addSilences(_ source: @escaping SilenceSource) { silenceSources.withLock { $0.append(source) } }

    func silences(now: Int64) -> [Silence] { silenceSources.withLock { $0 }.flatMap { $0(now) } }

    func evaluate(now: Int64) async throws -> [(rule: AlertRule, results: [RuleResult])] {
        var out: [(rule: AlertRule, results: [RuleResult])] = []
        for source in sources.withLock({ $0 }) { out += try await source(now) }
        return out
    }
}
