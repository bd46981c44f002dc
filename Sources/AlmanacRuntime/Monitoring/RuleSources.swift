import AlmanacAlerts
import Synchronization

/// Rules another domain computes itself (SLO burn rates over several windows), evaluated with
/// the monitoring rules each round, so their alerts share notifications, silences,
/// acknowledgements and history.
public final class RuleSources: Sendable {
    /// A source that cannot compute fails the round, so its alerts stay as they were rather than resolve.
    public typealias Source = @Sendable (_ now: Int64) async throws -> [(rule: AlertRule, results: [RuleResult])]
    private let sources = Mutex<[Source]>([])

    public init() {}

    public func add(_ source: @escaping Source) { sources.withLock { $0.append(source) } }

    func evaluate(now: Int64) async throws -> [(rule: AlertRule, results: [RuleResult])] {
        var out: [(rule: AlertRule, results: [RuleResult])] = []
        for source in sources.withLock({ $0 }) { out += try await source(now) }
        return out
    }
}
