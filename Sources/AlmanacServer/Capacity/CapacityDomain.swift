import AlmanacCapacity
import AlmanacRuntime
import AlmanacStorage
import Hummingbird
import Logging

/// Capacity: the load tests of `capacity/loadtests/`, their stored runs (run by
/// `almanac load run` or `saturate` against the same database), and the comparison across
/// revisions, as pages and JSON.
struct CapacityDomain: Domain {
    let tests: ReloadingFiles<LoadTestFiles>
    let runs: LoadTestService
    let seed: LoadRunSeed
    let leases: ClusterLeases

    init(_ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, logger: Logger) throws {
        tests = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [LoadTestFiles.folder], clock: configuration.clock, logger: logger
        ) {
            try LoadTestFiles.load($0)
        }
        let config = monitoring.config
        let store = monitoring.series
        runs = LoadTestService(
            database: database, usage: LoadUsage(settle: (30, configuration.clock)) { config.current.seriesSource(store: store) },
            clock: configuration.clock)
        seed = LoadRunSeed(configDirectory: configuration.configDirectory, service: runs, clock: configuration.clock)
        leases = monitoring.leases
    }

    /// A first start stores the runs the config repository carries (the example's).
    func prepare() async throws { _ = try await leases.once("load run import", for: 60) { try await seed.importIfEmpty() } }

    var reloadables: [any Reloadable] { [tests] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Capacity", path: "/capacity", group: .capacity)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        CapacityPages(tests: tests, runs: runs, renderer: web.renderer(CapacityPages.templates)).add(to: groups)
        groups.viewers.get("/api/v1/loadtests") { _, _ in
            let latest = try await runs.runs(limit: 500)
            return try JSONResponse.encode(
                LoadTestList(
                    loadtests: tests.current.tests.values.sorted { $0.name < $1.name }.map { test in
                        LoadTestRecord(test, lastRun: latest.first { $0.run.test == test.name }?.id)
                    }))
        }
        groups.viewers.get("/api/v1/loadtests/:name/runs") { _, context in
            let name = try context.parameters.decoded("name")
            let found = try await runs.runs(test: name)
            let comparison = RunComparison(runs: found.reversed())
            return try JSONResponse.encode(
                LoadRunsRecord(
                    runs: found.map { LoadRunRow(id: $0.id, run: $0.run) }, regressions: comparison.regressions,
                    revisions: comparison.entries.map {
                        .init(revision: $0.revision, runId: $0.runID, p99: $0.p99, sustainableRate: $0.sustainableRate)
                    }))
        }
        groups.viewers.get("/api/v1/loadruns/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw RequestProblem("id", "id must be a number") }
            return try JSONResponse.encode(try await runs.run(id))
        }
        return routes
    }
}

/// A load test as the API lists it.
struct LoadTestRecord: Encodable {
    var name, file, service, target, model: String
    var thresholds: [String]
    var lastRunId: Int64?

    init(_ test: LoadTest, lastRun: Int64?) {
        name = test.name
        file = test.file
        service = test.service
        target = test.target
        model = LoadRun.describe(test.model)
        thresholds = test.thresholds.map(\.text)
        lastRunId = lastRun
    }
}

/// One run in a list: enough to compare, the rest at `/api/v1/loadruns/{id}`.
struct LoadRunRow: Encodable {
    var id: Int64
    var kind: String
    var startedAt: Int64
    var revision: String?
    var outcome: String
    var rate: Double
    var p50: Double
    var p99: Double
    var errorRate: Double
    var sustainableRate: Double?

    init(id: Int64, run: LoadRun) {
        self.id = id
        kind = run.kind
        startedAt = run.startedAt
        revision = run.revision
        outcome = run.outcome
        rate = run.summary.rate
        p50 = run.summary.response.p50
        p99 = run.summary.response.p99
        errorRate = run.summary.errorRate
        sustainableRate = run.sustainableRate
    }
}

struct LoadRunsRecord: Encodable {
    struct Revision: Encodable {
        var revision: String
        var runId: Int64
        var p99: Double?
        var sustainableRate: Double?
    }

    var runs: [LoadRunRow]
    var regressions: [String]
    var revisions: [Revision]
}

struct LoadTestList: Encodable { var loadtests: [LoadTestRecord] }

extension LoadTestService.Problem: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .damaged: .internalServerError
        }
    }

    public var fieldName: String? {
        switch self {
        case .notFound: "id"
        case .damaged: nil
        }
    }
}
