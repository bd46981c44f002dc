import AlmanacRollout
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Logging
import Testing

/// The pipeline's use cases without HTTP: QA states checked once for every edge, what an
/// environment could get, and typed refusals.
@Suite struct PipelineServiceTests {
    @Test func qaStatesAndStatusFromARealRepository() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let repository = try await GitFixture.repository()
        let first = try await GitFixture.commit(repository, author: "ann", message: "Search (#1)")
        let second = try await GitFixture.commit(repository, author: "bob", message: "Images (#2)")
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "pipeline/pipeline.yaml": """
                repository: \(repository)
                commands: {deploy: "true", health: "true"}
                environments:
                  - {name: production, hosts: [app1]}
                """
            ], to: config)
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: logger)
        let pipeline = try PipelineConfig(configDirectory: config, clock: .system, logger: logger)
        let monitoring = try MonitoringConfig(configDirectory: config, clock: .system, logger: logger)
        let store = SQLReleaseStore(database: database)
        let rollouts = RolloutManager(
            pipeline: pipeline, store: store, alerts: SQLAlertStore(database: database), series: SQLSeriesStore(database: database),
            monitoring: monitoring, externalURL: "http://127.0.0.1", leaseSeconds: 60, clock: .system, logger: logger)
        let service = PipelineService(pipeline: pipeline, store: store, rollouts: rollouts, clock: .system)

        func field(_ hash: String, _ state: String, _ comment: String = "") async -> String? {
            do {
                _ = try await service.setQA(revision: hash, state: state, actor: "qa", comment: comment)
                return nil
            } catch let problem as PipelineService.Problem {
                return problem.field
            } catch {
                return "\(error)"
            }
        }
        #expect(await field(String(first.prefix(10)), "ok") == "revision", "a short hash is refused on every edge")
        #expect(await field(first, "fine") == "state")
        #expect(await field(first, "ok", String(repeating: "x", count: 2001)) == "comment")
        #expect(await field(first.uppercased(), "ok") == nil, "hashes are stored lowercased")
        #expect(await field(second, "bad") == nil)

        let status = try await service.status("production")
        #expect(status.candidate == second)
        #expect(status.revisions.map(\.qa) == [.ok, .bad])
        #expect(status.deployability.deployable == first && status.deployability.blockedBy == second)
        await #expect {
            try await service.status("nowhere")
        } throws: { error in
            if case RolloutError.notFound = error { return true }
            return false
        }
        await #expect {
            try await rollouts.start(environment: "production", revision: "no-such-branch", actor: "ann")
        } throws: { error in
            if case RolloutError.badRevision = error { return true }
            return false
        }
        try await database.close()
    }
}
