import AlmanacCatalog
import AlmanacRollout
import AlmanacStorage
import Foundation

/// The pipeline's use cases apart from any edge: what an environment runs and could get, QA
/// states by revision, the drift report, and rollouts through the manager.
public struct PipelineService: Sendable {
    public let pipeline: PipelineConfig
    let store: SQLReleaseStore
    public let rollouts: RolloutManager

    let clock: WallClock

    public init(pipeline: PipelineConfig, store: SQLReleaseStore, rollouts: RolloutManager, clock: WallClock) {
        self.clock = clock
        self.pipeline = pipeline
        self.store = store
        self.rollouts = rollouts
    }

    /// What an environment runs, what it could get, and what is deployable and why not further.
    public struct Status: Sendable {
        public var environment: Pipeline.Environment
        public var running: String?
        public var candidate: String
        public var revisions: [Revision]
        public var deployability: Deployability
        /// Each host's role, where the pipeline has roles.
        public var roles: [String: String] = [:]
        /// Roles with one host: a rollout takes the role down for `outage` ms (measured in the
        /// last rollout, or the step timeouts when none went through).
        public var singlePoints: [SinglePoint] = []
    }

    public struct SinglePoint: Sendable {
        public var role: String
        public var host: String
        public var outage: Int64
        public var measured: Bool
    }

    /// A request field that is wrong, named so an edge can point at it.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
    }

    public func status(_ name: String) async throws -> Status {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name) else {
            throw RolloutError.notFound("no environment '\(name)' in pipeline/pipeline.yaml")
        }
        let candidate = try await GitRepository.resolve(pipeline.repository, pipeline.branch)
        var running = try await store.running(environment: name)
        if running == nil { running = try await reportedByMost(name, pipeline: pipeline) }
        var revisions = try await GitRepository.revisions(pipeline.repository, after: running, upTo: candidate)
        let states = try await store.qaStates(revisions.map(\.hash))
        for i in revisions.indices { revisions[i].qa = states[revisions[i].hash] ?? .needsTesting }
        var status = Status(
            environment: environment, running: running, candidate: candidate, revisions: revisions,
            deployability: Deployability(revisions: revisions, requiresQA: environment.requiresQA))
        status.roles = pipeline.hostRoles(environment) ?? [:]
        status.singlePoints = try await Self.singlePoints(environment, pipeline: pipeline, store: store)
        return status
    }

    /// Every environment's roles with one host, for the catalogue's report of single points of failure.
    public func singleHostRoles() async throws -> [CatalogReport.SingleHostRole] {
        guard let pipeline = pipeline.current else { return [] }
        return try await Self.singleHostRoles(pipeline, store: store)
    }

    /// The same from a pipeline file and a release store, for the command line.
    public static func singleHostRoles(_ pipeline: Pipeline, store: SQLReleaseStore) async throws -> [CatalogReport.SingleHostRole] {
        var out: [CatalogReport.SingleHostRole] = []
        for environment in pipeline.environments {
            out += try await singlePoints(environment, pipeline: pipeline, store: store).map { point in
                CatalogReport.SingleHostRole(
                    service: pipeline.service, environment: environment.name, role: point.role, host: point.host,
                    outageSeconds: Double(point.outage) / 1000, measured: point.measured)
            }
        }
        return out
    }

    static func singlePoints(_ environment: Pipeline.Environment, pipeline: Pipeline, store: SQLReleaseStore) async throws -> [SinglePoint] {
        let single = pipeline.singlePoints(environment)
        guard !single.isEmpty else { return [] }
        let history = try await store.rollouts(environment: environment.name).filter { $0.phase == .succeeded }
        return single.map { point in
            let measured = history.lazy.compactMap { $0.outage(of: point.host) }.first
            return SinglePoint(
                role: point.role, host: point.host,
                outage: measured ?? pipeline.drainTimeout * 2 + pipeline.deployTimeout + pipeline.healthTimeout,
                measured: measured != nil)
        }
    }

    /// Before its first rollout an environment runs what most of its hosts said they run, when
    /// the repository has that revision; nil when they said nothing it knows. Only what is listed
    /// as new depends on it: a rollout reads the hosts again.
    func reportedByMost(_ environment: String, pipeline: Pipeline) async throws -> String? {
        let reported = try await store.observations().filter { $0.environment == environment }.compactMap(\.revision)
        guard let most = DriftReport.majority(reported) else { return nil }
        do { return try await GitRepository.resolve(pipeline.repository, most) } catch { return nil }
    }

    /// Records a QA state for a full commit hash, as `actor` says, with why.
    public func setQA(
        revision hash: String, state text: String, actor: String, comment: String, now: Int64? = nil
    ) async throws -> QAState {
        let now = now ?? clock.milliseconds()
        guard hash.count == 40, hash.allSatisfy(\.isHexDigit) else { throw Problem(field: "revision", message: "a full 40-character commit hash") }
        guard let state = QAState(rawValue: text) else {
            throw Problem(field: "state", message: "required: \(QAState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard comment.count <= 2000 else { throw Problem(field: "comment", message: "at most 2000 characters") }
        try await store.setQA(state, revision: hash.lowercased(), actor: actor, comment: comment, at: now)
        return state
    }

    /// The database patches against `environment`'s database and staging's; nil when the pipeline
    /// has none. A database that cannot be read is among the problems, never an error of the page.
    public func patches(environment: String) async -> (rows: [PatchService.Row], problems: [String])? {
        guard let pipeline = pipeline.current, pipeline.database != nil else { return nil }
        let service = PatchService(pipeline: pipeline, clock: clock)
        do { return try await service.report(environment: environment) } catch { return ([], ["\(error)"]) }
    }

    /// How `environment`'s schema differs from staging's beyond the pending patches; nil when
    /// there is nothing to compare with, or a database cannot be read (the patches say why).
    public func schemaDrift(environment: String) async -> PatchService.Drift? {
        guard let pipeline = pipeline.current, pipeline.database != nil else { return nil }
        let service = PatchService(pipeline: pipeline, clock: clock)
        do { return try await service.drift(environment: environment) } catch { return nil }
    }

    /// The drift report: each environment should run its last successful rollout's revision.
    public func drift(now: Int64? = nil) async throws -> DriftReport {
        let now = now ?? clock.milliseconds()
        return try await DriftWatcher.report(store: store, now: now)
    }

    /// Runs the pipeline's `setup` command, as the server starts, each time: it must be safe to
    /// repeat (clone the checkout when missing; the bundled example creates its application and
    /// starts its local hosts, which end with the server). Nil when there is none, else whether
    /// it worked and what it printed.
    public func setUp() async -> (ok: Bool, output: String)? {
        guard let pipeline = pipeline.current, let setup = pipeline.commands.setup else { return nil }
        let outcome = await StepRunner(pipeline: pipeline).shell(setup, timeout: pipeline.deployTimeout)
        return (outcome.ok, outcome.output)
    }

    /// Rollouts, newest first: one environment's, or every environment's.
    public func rollouts(environment: String? = nil, limit: Int = 50) async throws -> [Rollout] {
        try await store.rollouts(environment: environment, limit: limit)
    }

    /// Rollouts started between two instants, with when each started.
    public func rollouts(from: Int64, to: Int64) async throws -> [(startedAt: Int64, rollout: Rollout)] {
        try await store.rollouts(from: from, to: to)
    }

    /// The rollout `id`, or nil when there is none.
    public func findRollout(id: String) async throws -> Rollout? { try await store.rollout(id: id) }

    public func rollout(id: String) async throws -> Rollout {
        guard let rollout = try await store.rollout(id: id) else { throw RolloutError.notFound("no rollout \(id)") }
        return rollout
    }
}
