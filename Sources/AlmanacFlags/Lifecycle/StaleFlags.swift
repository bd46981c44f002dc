import AlmanacConfig

/// Flags that have outlived their purpose, as Launchpad feared: left in forever, or never
/// looked at. Pure: the caller supplies usage counts and what the source code mentions.
public struct StaleFinding: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Past its `expires` date.
        case expired
        /// Not evaluated in the window.
        case unused
        /// Served only one variant in the window although it has several.
        case singleVariant = "single-variant"
        /// Named in code but not defined in any flag file.
        case undefined
        /// Defined but never named in code.
        case unreferenced
    }

    public var flagKey: String
    public var kind: Kind
    public var detail: String
    public var owner: String?

    public init(flagKey: String, kind: Kind, detail: String, owner: String? = nil) {
        self.flagKey = flagKey
        self.kind = kind
        self.detail = detail
        self.owner = owner
    }
}

public enum StaleFlags {
    /// Every finding, sorted by flag then kind.
    ///
    /// - Parameters:
    ///   - usage: counts since the start of the window, by flag (flags absent were not evaluated).
    ///   - windowDays: the window the usage covers, for the messages.
    ///   - references: flag keys the code passes to flag calls, with where; nil when no source was scanned.
    ///   - mentions: every string literal in the code; nil when no source was scanned.
    public static func findings(
        flags: FlagSet, usage: [String: FlagUsage], today: DayStamp, windowDays: Int,
        references: [CodeReference]? = nil, mentions: Set<String>? = nil
    ) -> [StaleFinding] {
        var found: [StaleFinding] = []
        for key in flags.keys {
            let flag = flags.flags[key]!
            if let expires = flag.expires, let day = DayStamp(expires), day < today {
                found.append(
                    StaleFinding(flagKey: key, kind: .expired, detail: "expired on \(expires), \(today.day - day.day) days ago", owner: flag.owner))
            }
            let used = usage[key]
            if used == nil || used!.total == 0 {
                found.append(StaleFinding(flagKey: key, kind: .unused, detail: "not evaluated in the last \(windowDays) days", owner: flag.owner))
            } else if let used, flag.variants.count > 1, used.byVariant.count == 1, let only = used.byVariant.keys.first {
                found.append(
                    StaleFinding(
                        flagKey: key, kind: .singleVariant,
                        detail: "served only '\(only)' (\(used.total) evaluations) in the last \(windowDays) days", owner: flag.owner))
            }
            if let mentions, !mentions.contains(key) {
                found.append(StaleFinding(flagKey: key, kind: .unreferenced, detail: "not named anywhere in the source", owner: flag.owner))
            }
        }
        if let references {
            var seen: Set<String> = []
            for reference in references where flags.flags[reference.key] == nil && seen.insert(reference.key).inserted {
                found.append(
                    StaleFinding(flagKey: reference.key, kind: .undefined, detail: "used at \(reference.file):\(reference.line) but not defined"))
            }
        }
        return found.sorted { ($0.flagKey, $0.kind.rawValue) < ($1.flagKey, $1.kind.rawValue) }
    }
}
