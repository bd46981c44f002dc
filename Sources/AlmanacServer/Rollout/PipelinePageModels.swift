import AlmanacConfig
import AlmanacRollout
import AlmanacRuntime
import Foundation

/// What the pipeline list reads.
struct PipelineListPage {
    struct Environment {
        var name: String
        var hosts: Int
    }

    var environments: [Environment]
    var none: Bool
    var error: String
    var back: String?
}

/// What the drift page reads.
struct DriftPage {
    struct Host {
        var environment, host, revision, expected, span: String
        var drifting: Bool
    }

    var hosts: [Host]
    var count: Int
    var quiet: Bool

    init(_ report: DriftReport) {
        hosts = report.entries.map { e in
            Host(
                environment: e.environment, host: e.host, revision: e.revision.map { String($0.prefix(10)) } ?? "no answer",
                expected: e.expected.map { String($0.prefix(10)) } ?? "", span: e.drifting > 0 ? DurationText.span(e.drifting) : "",
                drifting: e.drifting > 0)
        }
        count = report.drifting.count
        quiet = report.drifting.isEmpty
    }
}

/// What an environment's page reads: the revisions with their QA forms, what is deployable, the
/// rollout in progress and the history.
struct EnvironmentPage {
    struct RevisionRow {
        struct Choice {
            var state: String
            var selected: Bool
        }

        var hash, short, author, subject, issues, qa: String
        var deployable, blocking: Bool
        var states: [Choice]
    }

    struct Deployable {
        var hash, short: String
        var count: Int
    }

    struct RolloutRow {
        var id, to, phase, by, failure: String
    }

    struct Current {
        var id, phase: String
    }

    /// What a host said it runs when last asked (the drift watcher's observation).
    struct HostRow {
        var host, role, revision, expected, differs: String
        var drifting: Bool
    }

    /// A role with one host: its rollouts take the role down.
    struct SinglePoint {
        var role, host, outage: String
    }

    /// A database patch against this environment's database and staging's.
    struct PatchRow {
        var name, verdict, predicted, seen, status, staging, window: String
        var error: String?

        init(_ row: PatchService.Row) {
            (name, verdict, predicted, seen, status, error) = (row.name, row.verdict.rawValue, row.predicted, row.seen ?? "", row.status, row.error)
            staging =
                row.stagingMilliseconds.map { DurationText.span(max($0, 1)) + (row.stagingMilliseconds! < 1000 ? " (\($0) ms)" : "") } ?? "not yet"
            window =
                row.verdict == .cold
                ? row.expectedWindow.map { "about " + DurationText.span(max($0, 1)) + " (\($0) ms)" } ?? "unknown until staging has it" : ""
        }
    }

    var name, hosts, running, candidate: String
    var revisions: [RevisionRow]
    var count: Int
    var history: [RolloutRow]
    var deployable: Deployable?
    var reason: String?
    var current: Current?
    var actor: String?
    var hostRows: [HostRow]
    var hasRoles: Bool
    var singlePoints: [SinglePoint]
    var hasPatches: Bool
    var patches: [PatchRow]
    var patchProblems: [String]
    var schema: SchemaView?

    /// The schema against staging's: the differences, or why it was not compared.
    struct SchemaView {
        var staging: String
        var notCompared: String?
        var differences: [String]
        var hasDifferences: Bool
    }

    init(
        _ status: PipelineService.Status, history: [Rollout], drift: [DriftReport.Entry],
        patches: (rows: [PatchService.Row], problems: [String])? = nil, schema: PatchService.Drift? = nil, actor: String?
    ) {
        self.schema = schema.map {
            SchemaView(staging: $0.staging, notCompared: $0.notCompared, differences: $0.differences, hasDifferences: !$0.differences.isEmpty)
        }
        hasPatches = patches != nil
        self.patches = patches?.rows.map(PatchRow.init) ?? []
        patchProblems = patches?.problems ?? []
        let d = status.deployability
        name = status.environment.name
        hosts = status.environment.hosts.joined(separator: ", ")
        let observed = Dictionary(drift.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        hostRows = status.environment.hosts.map { host in
            let entry = observed[host]
            return HostRow(
                host: host, role: status.roles[host] ?? "", revision: entry?.revision.map { String($0.prefix(10)) } ?? "not answering",
                expected: entry?.expected.map { String($0.prefix(10)) } ?? "", differs: entry.map { DurationText.span($0.drifting) } ?? "",
                drifting: (entry?.drifting ?? 0) > 0 || entry?.revision == nil)
        }
        hasRoles = !status.roles.isEmpty
        singlePoints = status.singlePoints.map { point in
            let outage = DurationText.span(point.outage)
            return SinglePoint(
                role: point.role, host: point.host,
                outage: point.measured ? "about \(outage), as in its last rollout" : "up to \(outage) (its step timeouts)")
        }
        running = status.running.map { String($0.prefix(10)) } ?? "unknown"
        candidate = String(status.candidate.prefix(10))
        revisions = status.revisions.reversed().map { r in
            RevisionRow(
                hash: r.hash, short: String(r.hash.prefix(10)), author: r.author, subject: r.subject, issues: r.issues.joined(separator: ", "),
                qa: r.qa.rawValue, deployable: r.hash == d.deployable, blocking: r.hash == d.blockedBy,
                states: QAState.allCases.map { RevisionRow.Choice(state: $0.rawValue, selected: $0 == r.qa) })
        }
        count = revisions.count
        self.history = history.map {
            RolloutRow(id: $0.id, to: String($0.to.prefix(10)), phase: $0.phase.rawValue, by: $0.startedBy, failure: $0.failure ?? "")
        }
        deployable = d.deployable.map { Deployable(hash: $0, short: String($0.prefix(10)), count: d.count) }
        reason = d.reason
        current = history.first { !$0.phase.isFinished }.map { Current(id: $0.id, phase: $0.phase.rawValue) }
        self.actor = actor
    }
}

/// What a rollout's page reads. Step output can name hosts, paths and whatever a deploy prints:
/// only signed-in admins see it.
struct RolloutPage {
    struct Wave {
        struct Host {
            var name, revision, done, error: String
        }

        var number: Int
        var role: String
        var current: Bool
        var hosts: [Host]
    }

    struct Step {
        var host, step, revision, ok, seconds, output: String
    }

    var id, environment, from, to, phase, by, failure, held: String
    var moving, canPause, canResume, canAbort, canRollBack: Bool
    var waves: [Wave]
    var log: [Step]
    var actor: String?

    init(_ rollout: Rollout, actor: String?) {
        id = rollout.id
        environment = rollout.environment
        from = String(rollout.from.prefix(10))
        to = String(rollout.to.prefix(10))
        phase = rollout.phase.rawValue
        by = rollout.startedBy
        failure = rollout.failure ?? ""
        held = rollout.held ?? ""
        moving = rollout.phase == .running || rollout.phase == .rollingBack
        canPause = rollout.phase == .running
        canResume = rollout.phase == .paused || rollout.phase == .interrupted
        canAbort = !rollout.phase.isFinished
        canRollBack = canResume
        waves = rollout.waves.enumerated().map { index, hosts in
            Wave(
                number: index + 1, role: hosts.first.flatMap { rollout.roles?[$0] } ?? "", current: index == rollout.wave,
                hosts: hosts.compactMap { rollout.hosts[$0] }.map { h in
                    Wave.Host(
                        name: h.name, revision: h.revision.map { String($0.prefix(10)) } ?? "unknown", done: h.done?.rawValue ?? "",
                        error: h.error ?? "")
                })
        }
        log = rollout.log.reversed().map { e in
            Step(
                host: e.host, step: e.step.rawValue, revision: String(e.revision.prefix(10)), ok: e.ok ? "ok" : "failed",
                seconds: String(format: "%.1f", Double(e.milliseconds) / 1000), output: actor == nil ? "(sign in to see the output)" : e.output)
        }
        self.actor = actor
    }
}
