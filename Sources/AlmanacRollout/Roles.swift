/// Hosts of different kinds roll out in stages, in the order the roles are declared: the static
/// front first (so pages that name new assets find them), then the app servers, then the backend
/// hosts whose scheduled jobs are held while they change.
///
/// ```yaml
/// roles:
///   - name: front
///     commands: {deploy: "ssh {host} /srv/assets {revision}", cleanup: "ssh {host} /srv/prune {revision}"}
///   - name: app
///     waves: [1, 100%]
///   - name: backend
///     exec: ssh {host}                # where a job's files and processes are looked at
///     jobs:
///       - name: nightly-export
///         running: {lock_file: /run/export.lock}
///         hold: {file: /run/export.hold}
///         wait: 10m
/// environments:
///   - name: production
///     hosts: {front: [web1], app: [app1, app2], backend: [cron1]}
/// ```
/// A role's commands fall back to the pipeline's; `cleanup` runs once the whole rollout
/// succeeded (the front then drops the assets no host needs any more).
extension Pipeline {
    public struct Role: Sendable, Equatable {
        public var name: String
        public var commands: Commands
        public var waves: [Wave]
        public var jobs: [Job]
        /// Prefix that runs a job's checks on the host (`ssh {host}`); nil runs them here.
        public var exec: String?
        public var line: Int
    }

    /// A scheduled job on a backend host, held while its host is deployed.
    public struct Job: Sendable, Equatable {
        public enum Running: Sendable, Equatable {
            /// A lock the job holds with flock(1) while it runs.
            case lockFile(String)
            case pidFile(String)
            /// An extended regular expression matched against command lines (pgrep -f).
            case process(String)
            /// Exits 0 while the job runs.
            case command(String)
        }

        public enum Hold: Sendable, Equatable {
            /// A file the job's wrapper honours: no new run starts while it exists.
            case file(String)
            case command(hold: String, release: String)
        }

        public var name: String
        public var schedule: String?
        public var running: Running
        public var hold: Hold
        /// Milliseconds to wait for a running job before the rollout stops.
        public var wait: Int64
        /// Stops a job that ran past `wait`; only when the file says so, never by default.
        public var kill: String?
        public var line: Int
    }

    /// One stage of a rollout: a role's hosts in its waves.
    public struct Stage: Sendable, Equatable {
        public var role: String?
        public var waves: [[String]]
    }

    public func role(_ name: String) -> Role? { roles.first { $0.name == name } }

    /// The stages of a rollout of `environment`, in the roles' order; one stage without a role
    /// for a pipeline that declares none.
    public func stages(_ environment: Environment) -> [Stage] {
        guard !roles.isEmpty else { return [Stage(role: nil, waves: Self.plan(hosts: environment.hosts, waves: environment.waves))] }
        return roles.compactMap { role in
            guard let hosts = environment.roles[role.name], !hosts.isEmpty else { return nil }
            return Stage(role: role.name, waves: Self.plan(hosts: hosts, waves: role.waves))
        }
    }

    /// The commands that apply to `host`: its role's, or the pipeline's.
    public func commands(host: String, in environment: Environment) -> Commands {
        environment.role(of: host).flatMap(role)?.commands ?? commands
    }

    /// Each host's role; nil for a pipeline without roles.
    public func hostRoles(_ environment: Environment) -> [String: String]? {
        guard !roles.isEmpty else { return nil }
        return Dictionary(uniqueKeysWithValues: environment.hosts.compactMap { host in environment.role(of: host).map { (host, $0) } })
    }

    /// Hosts whose role has scheduled jobs to hold.
    public func holding(_ environment: Environment) -> [String]? {
        let hosts = environment.hosts.filter { host in environment.role(of: host).flatMap(role).map { !$0.jobs.isEmpty } ?? false }
        return hosts.isEmpty ? nil : hosts
    }

    /// Roles of the environment with a single host: a rollout of that role takes it down.
    public func singlePoints(_ environment: Environment) -> [(role: String, host: String)] {
        roles.compactMap { role in
            guard let hosts = environment.roles[role.name], hosts.count == 1 else { return nil }
            return (role.name, hosts[0])
        }
    }
}

extension Pipeline.Environment {
    public func role(of host: String) -> String? { roles.first { $0.value.contains(host) }?.key }
}

extension Rollout {
    /// How long `host` was out of service in this rollout (from its drain to its undrain on the
    /// way to the new revision); nil when it did not go through both.
    public func outage(of host: String) -> Int64? {
        let steps = log.filter { $0.host == host && $0.revision == to && $0.ok }
        guard let drained = steps.first(where: { $0.step == .drain }), let back = steps.last(where: { $0.step == .undrain }) else { return nil }
        return back.at + back.milliseconds - drained.at
    }
}

extension Pipeline {
    /// Where database patches live and how they are applied (`database:` in the pipeline file);
    /// each environment names the variable that holds its database's URL, never the URL.
    public struct DatabaseSettings: Sendable, Equatable {
        /// The folder of `NNNN-name.sql` patches (or of a sqitch project), relative to the config repository.
        public var patches: String
        /// The folder is a sqitch project: `sqitch.plan` with deploy/ and verify/ scripts.
        public var sqitch = false
        /// How long a hot patch waits for a lock before it gives up and tries again (ms).
        public var lockTimeout: Int64 = 2_000
        public var retries = 5
        /// Commands that open and close a fast downtime window (app hosts answer 503 with
        /// Retry-After); without them a cold patch is refused.
        public var windowStart: String?
        public var windowEnd: String?

        public init(patches: String) { self.patches = patches }
    }
}
