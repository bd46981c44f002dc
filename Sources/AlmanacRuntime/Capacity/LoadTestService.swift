import AlmanacAlerts
import AlmanacCapacity
import AlmanacMetrics
import AlmanacReporting
import AlmanacRollout
import AlmanacStorage
import Foundation

/// Runs load tests and keeps their results: the run itself, the revisions the service's hosts
/// ran (from the pipeline's checks), what the service used per request, and the comparison
/// with earlier runs.
public struct LoadTestService: Sendable {
    public enum Problem: Error, Sendable, CustomStringConvertible {
        case notFound(Int64)
        case damaged(Int64, String)
        public var description: String {
            switch self {
            case .notFound(let id): "no load test run \(id)"
            case .damaged(let id, let why): "load test run \(id) cannot be read: \(why)"
            }
        }
    }

    let store: LoadRunStore
    let releases: SQLReleaseStore
    let alerts: SQLAlertStore
    let usage: LoadUsage
    let clock: WallClock

    public init(database: Database, usage: LoadUsage, clock: WallClock) {
        self.clock = clock
        store = LoadRunStore(database: database)
        releases = SQLReleaseStore(database: database)
        alerts = SQLAlertStore(database: database)
        self.usage = usage
    }

    /// One run; stored (partial results too) before it returns.
    public func run(
        _ test: LoadTest, plan: RequestPlan, model: LoadTest.Model, abortOnAlert: Bool,
        progress: @escaping @Sendable (LoadInterval) -> Void = { _ in }
    ) async throws -> (id: Int64, run: LoadRun) {
        var run = try await measure(test, plan: plan, model: model, kind: "run", abortOnAlert: abortOnAlert, progress: progress)
        try await annotate(&run, test: test)
        return (try await save(run), run)
    }

    /// Steps the open model's rate by the test's factor until a threshold fails (or the rate
    /// falls short of the target), and stores the curve with the highest rate that held.
    public func saturate(
        _ test: LoadTest, plan: RequestPlan, abortOnAlert: Bool, step: @escaping @Sendable (SaturationStep) -> Void = { _ in }
    ) async throws -> (id: Int64, run: LoadRun) {
        let search = SaturationSearch(test.saturation, thresholds: test.thresholds)
        var steps: [SaturationStep] = []
        var last: LoadRun?
        var best: LoadRun?
        for rate in search.rates {
            let model = LoadTest.Model.open(
                stages: [.init(from: rate, to: rate, seconds: test.saturation.stepSeconds)], connections: test.model.connections)
            let run = try await measure(test, plan: plan, model: model, kind: "saturate", abortOnAlert: abortOnAlert, progress: { _ in })
            let verdict = search.judge(rate: rate, run: run)
            steps.append(verdict)
            step(verdict)
            last = run
            if verdict.passed { best = run }
            if !verdict.passed || run.aborted != nil { break }
        }
        guard var result = best ?? last else { throw LoadProblem.data("saturation search ran no step") }
        result.kind = "saturate"
        result.steps = steps
        result.sustainableRate = steps.last(where: \.passed)?.rate
        result.aborted = last?.aborted
        result.passed = result.sustainableRate != nil && result.aborted == nil
        try await annotate(&result, test: test)
        return (try await save(result), result)
    }

    func measure(
        _ test: LoadTest, plan: RequestPlan, model: LoadTest.Model, kind: String, abortOnAlert: Bool,
        progress: @escaping @Sendable (LoadInterval) -> Void
    ) async throws -> LoadRun {
        let engine = try LoadEngine(test: test, plan: plan, clock: clock, onInterval: progress)
        let guardTask = abortOnAlert ? Task { try await watchAlerts(service: test.service, engine: engine) } : nil
        let outcome = try await engine.run(model)
        guardTask?.cancel()
        if let guardTask, case .failure(let error) = await guardTask.result, !(error is CancellationError) { throw error }
        let summary = outcome.summary
        var run = LoadRun(
            test: test, kind: kind, startedAt: outcome.startedAt, model: model, summary: summary,
            thresholds: summary.check(test.thresholds, recorder: outcome.recorder), intervals: outcome.intervals,
            histogram: outcome.recorder.response, aborted: outcome.aborted)
        run.usage = try await usage.measure(test: test, from: run.startedAt, seconds: summary.seconds, summary: summary)
        return run
    }

    /// Stops the run as soon as one of the service's alerts fires (checked every second): a load
    /// test against production must not outlast the trouble it causes. Reading the alerts is
    /// part of that promise, so a failure to read them stops the run too.
    func watchAlerts(service: String, engine: LoadEngine) async throws {
        while !Task.isCancelled {
            let state: AlertingState
            do { state = try await alerts.state() } catch {
                engine.abort("cannot read the alerts (--abort-on-alert): \(error)")
                return
            }
            let firing = state.tracker.alerts.values.filter { (alert: Alert) -> Bool in
                alert.state == .firing && alert.labels.contains { (label: Label) in label.name == "service" && label.value == service }
            }
            if let alert = firing.min(by: { $0.rule < $1.rule }) {
                engine.abort("alert \(alert.rule) fired for \(service)")
                return
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// The revisions the service's hosts ran: the pipeline environment whose hosts include the
    /// target's host, as the drift checks last saw them.
    func annotate(_ run: inout LoadRun, test: LoadTest) async throws {
        let target = try LoadTarget(test.target)
        let observations = try await releases.observations()
        let environments = Set(
            observations.filter { $0.host == target.host || $0.host == "\(target.host):\(target.port)" || test.target.contains("//\($0.host)") }
                .map(\.environment))
        let hosts = observations.filter { environments.contains($0.environment) }
        run.revisions = hosts.compactMap { o in o.revision.map { HostRevision(host: o.host, revision: $0) } }.sorted { $0.host < $1.host }
        let distinct = Set(run.revisions.map(\.revision))
        run.revision = distinct.count == 1 ? distinct.first : nil
    }

    func save(_ run: LoadRun) async throws -> Int64 {
        let record = try JSONReport.string(run)
        return try await store.save(
            .init(
                test: run.test, service: run.service, kind: run.kind, startedAt: run.startedAt, revision: run.revision, outcome: run.outcome,
                record: record))
    }

    public func runs(test: String? = nil, limit: Int = 200) async throws -> [(id: Int64, run: LoadRun)] {
        try await store.runs(test: test, limit: limit).map { ($0.id, try Self.decode($0)) }
    }

    public func run(_ id: Int64) async throws -> LoadRun {
        guard let row = try await store.run(id) else { throw Problem.notFound(id) }
        return try Self.decode(row)
    }

    static func decode(_ row: LoadRunStore.Row) throws -> LoadRun {
        do { return try record(Data(row.record.utf8)) } catch { throw Problem.damaged(row.id, "\(error)") }
    }

    /// A run as stored and as `GET /api/v1/loadruns/ID` gives it (snake_case keys).
    static func record(_ data: Data) throws -> LoadRun {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(LoadRun.self, from: data)
    }
}
