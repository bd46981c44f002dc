import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage
import Foundation

/// What the flag list's template reads.
struct FlagListPage {
    struct Row {
        struct Mark {
            var kind: String
            var detail: String
        }

        var key, state, type, variants, defaultVariant, owner, expires: String
        var evaluations: Int64
        var marks: [Mark]
    }

    var flags: [Row]
    var environment: String?
    var reloadErrors: [String]
    var hasErrors: Bool
    var warnings: [String]
    var hasWarnings: Bool

    init(_ overview: FlagService.Overview, environment: String?, reloadErrors: [String]) {
        let effective = overview.evaluator.effective
        flags = effective.keys.sorted().compactMap { key in
            guard let flag = effective[key] else { return nil }
            return Row(
                key: key, state: flag.state.rawValue, type: flag.type.rawValue, variants: flag.variantNames.joined(separator: ", "),
                defaultVariant: flag.defaultVariant ?? "(code default)", owner: flag.owner ?? "", expires: flag.expires ?? "",
                evaluations: overview.lastDay[key]?.total ?? 0,
                marks: overview.findings.filter { $0.flagKey == key }.map { Row.Mark(kind: $0.kind.rawValue, detail: $0.detail) })
        }
        self.environment = environment
        self.reloadErrors = reloadErrors
        hasErrors = !reloadErrors.isEmpty
        warnings = overview.evaluator.flags.warnings.map(\.description)
        hasWarnings = !warnings.isEmpty
    }
}

/// What a flag's page reads. Pins name users and the history names operators: they are filled
/// only for a signed-in admin.
struct FlagDetailPage {
    struct Variant {
        var name, value: String
        var isDefault: Bool
    }

    struct Pin {
        var subject, variant, key: String
        var actor: String?
    }

    struct Change {
        var when, actor, action, subject, before, after, comment: String
    }

    var key, state, type, source, nextState, nextAction: String
    var description, owner, expires, actor, targetingText, targetingJSON: String?
    var variants: [Variant]
    var scopes: [String]
    var hasScopes: Bool
    var environments: [String]
    var hasEnvironments: Bool
    var pins: [Pin]
    var audit: [Change]
    var ramp: RampSection?

    init(_ flag: Flag, pins: [PinSubject: String], ramp: RampPosition?, audit: [AuditEntry], actor: String?, now: Int64) {
        key = flag.key
        state = flag.state.rawValue
        type = flag.type.rawValue
        source = "\(flag.source.file):\(flag.source.line)"
        nextState = flag.state == .enabled ? "DISABLED" : "ENABLED"
        nextAction = flag.state == .enabled ? "Disable (kill switch)" : "Enable"
        description = flag.description
        owner = flag.owner
        expires = flag.expires
        self.actor = actor
        targetingText = flag.targetingText
        targetingJSON = flag.targetingSource.map(JSONWriter.string)
        variants = flag.variantNames.map {
            Variant(name: $0, value: flag.variants[$0].map(JSONWriter.string) ?? "", isDefault: $0 == flag.defaultVariant)
        }
        scopes = flag.scopes.map(\.summary)
        hasScopes = !scopes.isEmpty
        environments = flag.environments
        hasEnvironments = !environments.isEmpty
        self.pins =
            actor == nil
            ? []
            : pins.sorted { $0.key.description < $1.key.description }.map {
                Pin(subject: $0.key.description, variant: $0.value, key: flag.key, actor: actor)
            }
        self.ramp = flag.ramp.map { RampSection(key: flag.key, flag: flag, spec: $0, position: ramp, audit: audit, now: now) }
        let when = ISO8601DateFormatter()
        self.audit = audit.map { entry in
            Change(
                when: when.string(from: Date(timeIntervalSince1970: Double(entry.at) / 1000)), actor: entry.actor, action: entry.action,
                subject: entry.subject ?? "", before: entry.before ?? "—", after: entry.after ?? "—", comment: entry.comment)
        }
    }
}
