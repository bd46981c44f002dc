import AlmanacConfig

/// How long raw samples and each rollup are kept, from `monitoring/storage.yaml`:
///
/// ```yaml
/// retention:
///   raw: 15d
///   rollups: {5m: 365d, 1h: 1825d}
/// ```
public struct RetentionPolicy: Sendable, Equatable {
    public struct Level: Sendable, Equatable {
        public var step: Int64
        public var keep: Int64

        public init(step: Int64, keep: Int64) {
            self.step = step
            self.keep = keep
        }
    }

    public var raw: Int64
    /// Finest first.
    public var rollups: [Level]

    public static let standard = RetentionPolicy(
        raw: 15 * 86_400_000, rollups: [Level(step: 300_000, keep: 365 * 86_400_000), Level(step: 3_600_000, keep: 5 * 365 * 86_400_000)])

    public init(raw: Int64, rollups: [Level]) {
        self.raw = raw
        self.rollups = rollups.sorted { $0.step < $1.step }
    }

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> RetentionPolicy {
        guard let retention = root["retention"] else { return .standard }
        for member in retention.members ?? [] where member.key != "raw" && member.key != "rollups" {
            throw member.value.error("unknown field (expected raw or rollups)")
        }
        let raw = try DurationText.milliseconds(retention["raw"]) ?? standard.raw
        var levels = standard.rollups
        if let node = retention["rollups"] {
            guard let members = node.members else { throw node.error("must map a step to how long it is kept, as {5m: 365d, 1h: 1825d}") }
            levels = []
            for member in members {
                guard let step = DurationText.milliseconds(member.key), step >= 60_000, 86_400_000 % step == 0 else {
                    throw member.value.error("step '\(member.key)' must be a duration of at least 1m that divides a day")
                }
                guard let keep = try DurationText.milliseconds(member.value) else { throw member.value.error("must be a duration") }
                guard keep >= raw else { throw member.value.error("a rollup must be kept at least as long as raw samples (\(raw / 86_400_000)d)") }
                levels.append(Level(step: step, keep: keep))
            }
        }
        return RetentionPolicy(raw: raw, rollups: levels)
    }
}
