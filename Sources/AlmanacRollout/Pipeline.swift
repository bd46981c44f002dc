import AlmanacConfig

/// `pipeline/pipeline.yaml`: the application's repository, its environments and their hosts,
/// the commands that deploy, check, drain and undrain a host, and how a rollout goes in waves.
///
/// ```yaml
/// repository: ../product-opener        # a git repository, relative to the config repository
/// branch: main                         # the stable branch
/// service: product-opener              # alerts with service="product-opener" stop a rollout
/// commands:                            # shell templates; {host} and {revision} are filled in
///   deploy: ssh {host} /srv/deploy {revision}
///   health: http://{host}:8080/health  # must answer 200 and report {revision}
///   drain: ssh lb1 drain {host}
///   undrain: ssh lb1 undrain {host}
/// timeouts: {deploy: 5m, health: 30s, drain: 30s}
/// health_interval: 2s
/// hosts: [staging1, app1, app2, app3, app4]   # optional inventory: environments may name only these
/// environments:
///   - name: staging
///     follow: main                     # deploy the branch's head every day at 03:00 UTC
///     at: "03:00"
///     hosts: [staging1]
///   - name: production
///     hosts: [app1, app2, app3, app4]
///     waves: [1, 25%, 100%]            # a canary, then a quarter, then the rest
///     gates: {alerts: true, error_rate: {series: http_errors_ratio, above: 0.02}, budget: true}
/// ```
/// The budget gate is on by default for an environment named production.
public struct Pipeline: Sendable, Equatable {
    public struct Commands: Sendable, Equatable {
        public var deploy: String
        public var health: String
        public var drain: String?
        public var undrain: String?
        /// Makes the repository when it is missing (a `git clone`), once, as the server starts.
        public var setup: String?
        /// Runs on each of a role's hosts once the whole rollout succeeded.
        public var cleanup: String?
    }

    public struct Gates: Sendable, Equatable {
        /// Stop when an alert of the environment's service fires.
        public var alerts = true
        /// Stop when this series goes above the level during a wave.
        public var errorRate: (series: String, above: Double)?
        /// Refuse to start while an SLO of the service has spent its error budget (the SRE
        /// Workbook's budget policy), unless an operator overrides it with a reason.
        public var budget = false

        public static func == (a: Gates, b: Gates) -> Bool {
            a.alerts == b.alerts && a.errorRate?.series == b.errorRate?.series && a.errorRate?.above == b.errorRate?.above && a.budget == b.budget
        }
    }

    public struct Environment: Sendable, Equatable {
        public var name: String
        /// Every host, in the roles' order.
        public var hosts: [String]
        /// The hosts of each role, where the pipeline declares roles.
        public var roles: [String: [String]] = [:]
        public var waves: [Wave]
        public var gates: Gates
        /// The branch this environment follows on its own (the daily staging), and when (minutes after midnight UTC).
        public var follow: String?
        public var at: Int?
        /// False where QA happens on the environment itself (staging): only a revision QA'd bad
        /// holds the others back there.
        public var requiresQA = true
        public var line: Int
        /// The environment variable holding the URL of this environment's database.
        public var database: String?
    }

    public enum Wave: Sendable, Equatable {
        case hosts(Int)
        case percent(Int)
    }

    public var repository: String
    public var branch: String
    /// The service this pipeline deploys: its firing alerts stop a rollout between waves.
    public var service: String?
    public var commands: Commands
    /// Milliseconds.
    public var deployTimeout: Int64
    public var healthTimeout: Int64
    public var drainTimeout: Int64
    public var healthInterval: Int64
    public var environments: [Environment]
    /// The stages of every rollout, in order; empty for a pipeline of one kind of host.
    public var roles: [Role] = []
    public var database: DatabaseSettings?
    /// Where the commands run: the config repository, so they may name its scripts.
    public var directory: String?

    public func environment(_ name: String) -> Environment? { environments.first { $0.name == name } }

    /// Whether a daily follow at `minuteOfDay` (UTC) is due at `now` (ms), given when it last ran.
    public static func followDue(minuteOfDay: Int, lastRun: Int64?, now: Int64) -> Bool {
        let day: Int64 = 86_400_000
        let todays = now - now % day + Int64(minuteOfDay) * 60_000
        let latest = now >= todays ? todays : todays - day  // the most recent scheduled moment
        return (lastRun ?? .min) < latest
    }

    /// Hosts of each wave, in order: waves are cumulative (`25%` means up to a quarter of the
    /// hosts changed in all), each wave at least one new host, the last taking the rest.
    public static func plan(hosts: [String], waves: [Wave]) -> [[String]] {
        var out: [[String]] = []
        var done = 0
        for wave in waves {
            let target: Int
            switch wave {
            case .hosts(let n): target = done + n
            case .percent(let p): target = Int((Double(hosts.count) * Double(p) / 100).rounded(.up))
            }
            let upTo = min(hosts.count, max(target, done + 1))
            if upTo > done {
                out.append(Array(hosts[done..<upTo]))
                done = upTo
            }
        }
        if done < hosts.count { out.append(Array(hosts[done...])) }
        return out
    }
}
