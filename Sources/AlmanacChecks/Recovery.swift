import AlmanacCatalog
import AlmanacConfig

/// What to do when a check's problem turns hard: a command (a unit or container restart, a
/// script, through ssh or not), at most `budget` times within `window`, each further one after
/// a backoff that doubles up to `maximumBackoff` and starts over once the check has been OK for
/// `stable`; past the budget, people are told once instead.
public struct RecoveryPlan: Sendable, Hashable {
    public var arguments: [String]
    public var budget: Int
    public var window: Int64
    public var backoff: Int64
    public var maximumBackoff: Int64
    public var stable: Int64
    public var timeout: Int64
}

/// A check's recoveries so far: kept with its progress, so a restart of Almanac does not reset
/// the budget.
public struct RecoveryState: Sendable, Hashable, Codable {
    /// When recoveries ran, within the budget's window.
    public var runs: [Int64] = []
    public var notBefore: Int64 = 0
    public var backoff: Int64 = 0
    public var escalated = false
    /// The dependency a recovery is held for, so the timeline says it once per episode.
    public var heldFor: String?
    public var okSince: Int64?

    public init() {}
}

/// One decision of the recovery rules, in the order they apply: nothing while the check is not
/// in a hard problem; held while a dependency's check fails (its cause is reported instead);
/// nothing more once escalated; escalate when the budget is spent; wait out the backoff; recover.
public enum RecoveryDecision: Sendable, Hashable {
    case none
    case held(by: String, announce: Bool)
    case escalate(runs: Int)
    case wait(until: Int64)
    case recover(attempt: Int)
}

extension RecoveryState {
    /// Decides, and moves the state as the decision implies (a recovery counted, a backoff
    /// doubled, an escalation marked, a stable period starting the count over).
    public mutating func decide(_ plan: RecoveryPlan, hardProblem: Bool, ok: Bool, failingDependencies: [String], now: Int64) -> RecoveryDecision {
        if ok {
            if okSince == nil { okSince = now }
            if let since = okSince, now - since >= plan.stable {
                runs = []
                backoff = 0
                notBefore = 0
                escalated = false
            }
            heldFor = nil
            return .none
        }
        okSince = nil
        guard hardProblem else { return .none }
        if let cause = failingDependencies.first {
            defer { heldFor = cause }
            return .held(by: cause, announce: heldFor != cause)
        }
        heldFor = nil
        if escalated { return .none }
        runs = runs.filter { now - $0 < plan.window }
        if runs.count >= plan.budget {
            escalated = true
            return .escalate(runs: runs.count)
        }
        guard now >= notBefore else { return .wait(until: notBefore) }
        runs.append(now)
        backoff = backoff == 0 ? plan.backoff : min(backoff * 2, plan.maximumBackoff)
        notBefore = now + backoff
        return .recover(attempt: runs.count)
    }
}

extension CheckFile {
    /// How many recoveries may run at once across the fleet: `recovery: {concurrent: 2}`.
    public static func concurrentRecoveries(_ root: ConfigNode) throws(ConfigError) -> Int? {
        guard let node = root["recovery"] else { return nil }
        try node.onlyFields(["concurrent"])
        guard let value = try ConfigNumber.read(node["concurrent"]), value >= 1, value == value.rounded() else {
            throw (node["concurrent"] ?? node).error("must be a whole number of recoveries, at least 1")
        }
        return Int(value)
    }

    static func recovery(_ node: ConfigNode, host: ConfigNode?, check: String, entity: EntityRef) throws(ConfigError) -> RecoveryPlan {
        try node.onlyFields(["run", "budget", "within", "backoff", "max_backoff", "stable", "timeout"])
        guard let run = node["run"] else { throw node.error("needs 'run' (the command that recovers, such as systemctl restart search)") }
        let words: [String]
        if let list = run.elements { words = list.compactMap(\.string) } else { words = (run.string ?? "").split(separator: " ").map(String.init) }
        guard words.first?.hasPrefix("/") == true else { throw run.error("must start with the program's absolute path, such as /usr/bin/systemctl") }
        var values = ["check": check, "entity": entity.shortText]
        if let host { values["host"] = host.string }
        let arguments = try words.map { word throws(ConfigError) in try fill(word, values: values, node: run, host: host) }
        var budget = 3
        if let value = try ConfigNumber.read(node["budget"]) {
            guard value >= 1, value == value.rounded() else { throw node["budget"]!.error("must be a whole number of recoveries, at least 1") }
            budget = Int(value)
        }
        let backoff = try DurationText.milliseconds(node["backoff"]) ?? 30_000
        let maximum = try DurationText.milliseconds(node["max_backoff"]) ?? max(backoff, 600_000)
        guard maximum >= backoff else { throw node["max_backoff"]!.error("must be at least 'backoff'") }
        return RecoveryPlan(
            arguments: arguments, budget: budget, window: try DurationText.milliseconds(node["within"]) ?? 3_600_000, backoff: backoff,
            maximumBackoff: maximum, stable: try DurationText.milliseconds(node["stable"]) ?? 1_800_000,
            timeout: try DurationText.milliseconds(node["timeout"]) ?? 60_000)
    }
}
