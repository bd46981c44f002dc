import AlmanacRuntime

/// Everything `almanac serve` needs to know, gathered by the CLI from options and environment.
public struct ServerConfiguration: Sendable {
    /// The config repository (flag files under `flags/`).
    public var configDirectory: String
    /// Where SQLite keeps its file.
    public var dataDirectory: String
    /// PostgreSQL instead of SQLite, as `postgres://user:password@host:port/database`.
    public var databaseURL: String?
    /// 127.0.0.1 unless told otherwise, so nothing is exposed by accident.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests use this).
    public var port: Int = 8080
    /// flagd's sync protocol (gRPC) for in-process providers on this port of `host`; nil serves none.
    public var syncPort: Int?
    /// The environment this server belongs to (e.g. staging, production).
    public var environment: String?
    /// Admin tokens and the name each one records in the audit log.
    public var adminTokens: [String: String] = [:]
    /// Where people reach this server when a proxy stands in front (`https://almanac.example.org`):
    /// the sign-in's redirect URI, and `Secure` cookies when it is HTTPS.
    public var publicURL: String?
    /// The environment the server reads secrets from (the provider's client secret).
    public var environmentVariables: [String: String] = [:]
    /// Least seconds between two fetches of the provider's keys for tokens naming an unknown key.
    public var keyRefetchSeconds: Double = 10
    /// Client keys and their names; when empty, evaluation needs no key.
    public var clientKeys: [String: String] = [:]
    /// Evaluations per second allowed per client (key, or address without keys); 0 turns limiting off.
    public var rateLimit: Double = 0
    /// Largest accepted request body.
    public var maximumBodyBytes: Int = 64 * 1024
    /// How often the config files are checked for changes.
    public var configPollSeconds: Double = 1
    /// How often the database is checked for other replicas' changes.
    public var changePollSeconds: Double = 0.25
    /// How often alert rules are evaluated.
    public var ruleIntervalSeconds: Double = 15
    /// How often escalations look for due steps.
    public var escalationIntervalSeconds: Double = 1
    /// Longest pause between retries of an undelivered notification.
    public var notificationBackoffSeconds: Double = 60
    /// How often raw samples are rolled up and old data dropped.
    public var compactionIntervalSeconds: Double = 300
    /// How often backups are read and due restore drills run.
    public var backupIntervalSeconds: Double = 60
    /// How often finished days' costs are stored as series (for budget alerts).
    public var costIntervalSeconds: Double = 3600
    /// How long a rollout lock outlives its holder's last sign of life.
    public var rolloutLeaseSeconds: Double = 60
    /// How long a replica's hold on once-per-cluster work (scraping, rules, notifications)
    /// outlives its last renewal; another replica takes the work over within two of these.
    public var leaseSeconds: Double = 15
    /// How often every host is asked which revision it runs.
    public var driftIntervalSeconds: Double = 60
    /// Threads serving HTTP; 0 uses one per core.
    public var eventLoopThreads: Int = 0
    /// How often evaluation counts are written to the database.
    public var usageFlushSeconds: Double = 10
    /// Where every service, job, lease, session and page reads the time: the system's clock, or
    /// one a test drives.
    public var clock: WallClock = .system

    /// Where people reach this server, for links in notifications.
    var externalURL: String { "http://\(host):\(port)" }

    public init(configDirectory: String, dataDirectory: String, databaseURL: String? = nil) {
        self.configDirectory = configDirectory
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
    }
}
