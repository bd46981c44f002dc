import AlmanacConfig
import AlmanacExperiments
import AlmanacFlags
import AlmanacStorage
import Synchronization

/// Notes each targeting key's first evaluation of an experiment's flag, on the evaluation's hot
/// path with one lock, and hands the new ones to the database every few seconds. Keys already
/// noted are remembered up to `memory` of them; past that the database's key keeps them once.
public final class ExposureRecorder: Sendable {
    private struct Key: Hashable {
        var flag: String
        var targetingKey: String
        var variant: String
    }

    private struct State {
        var seen: Set<Key> = []
        var pending: [SQLExperimentStore.Exposure] = []
    }

    private let state = Mutex(State())
    static let memory = 2_000_000
    static let pendingLimit = 1_000_000

    public init() {}

    /// Notes `resolution` of `flag` for `context` at `seconds` if it exposes a user to the experiment.
    func note(_ resolution: Resolution, flag: Flag?, context: [String: JSONValue], seconds: Int64) {
        guard let spec = flag?.experiment, resolution.errorCode == nil, let variant = resolution.variant,
            case .string(let user)? = context["targetingKey"], !user.isEmpty, user.utf8.count <= 256
        else { return }
        let excluded: String?
        if let attribute = spec.optOut, context[attribute].map(Coercion.truthy) == true {
            excluded = "opted-out"
        } else if resolution.pinned {
            excluded = "pinned"
        } else if !spec.variants.contains(variant) {
            excluded = "outside the comparison"
        } else {
            excluded = nil
        }
        let key = Key(flag: resolution.key, targetingKey: user, variant: variant)
        state.withLock { state in
            guard state.pending.count < Self.pendingLimit, state.seen.insert(key).inserted else { return }
            if state.seen.count > Self.memory { state.seen = [key] }
            state.pending.append(.init(flagKey: resolution.key, targetingKey: user, variant: variant, at: seconds * 1000, excluded: excluded))
        }
    }

    /// Takes the exposures noted since the last call.
    func drain() -> [SQLExperimentStore.Exposure] {
        state.withLock { state in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
    }

    /// Puts exposures back after a failed write.
    func restore(_ exposures: [SQLExperimentStore.Exposure]) {
        state.withLock { $0.pending.insert(contentsOf: exposures, at: 0) }
    }
}
