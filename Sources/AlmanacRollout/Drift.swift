/// What one host was last seen running, and since when.
public struct HostObservation: Sendable, Equatable, Codable {
    public var environment: String
    public var host: String
    /// nil when the host did not answer or named no revision.
    public var revision: String?
    /// Since when the host has run `revision` (ms).
    public var since: Int64
    public var checkedAt: Int64

    public init(environment: String, host: String, revision: String?, since: Int64, checkedAt: Int64) {
        self.environment = environment
        self.host = host
        self.revision = revision
        self.since = since
        self.checkedAt = checkedAt
    }
}

/// One revision everywhere: per environment, the revision it should run (the last rollout's,
/// else what most hosts run) and the hosts that differ, with how long they have.
public struct DriftReport: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var environment: String
        public var host: String
        public var revision: String?
        public var expected: String?
        /// How long the host has differed (ms); 0 when it runs the expected revision.
        public var drifting: Int64
    }

    public var entries: [Entry]

    /// The revision most hosts report (ties to the smallest), nil when none reports one.
    public static func majority(_ revisions: [String]) -> String? {
        Dictionary(grouping: revisions, by: { $0 }).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key
    }

    public init(observations: [HostObservation], expected: [String: String], now: Int64) {
        var entries: [Entry] = []
        for (environment, hosts) in Dictionary(grouping: observations, by: \.environment).sorted(by: { $0.key < $1.key }) {
            let target = expected[environment] ?? Self.majority(hosts.compactMap(\.revision))
            for host in hosts.sorted(by: { $0.host < $1.host }) {
                let differs = host.revision == nil || host.revision != target
                entries.append(
                    Entry(
                        environment: environment, host: host.host, revision: host.revision, expected: target,
                        drifting: differs ? max(0, now - host.since) : 0))
            }
        }
        self.entries = entries
    }

    public var drifting: [Entry] { entries.filter { $0.drifting > 0 } }
}
