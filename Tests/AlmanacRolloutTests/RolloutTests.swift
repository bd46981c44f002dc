import AlmanacConfig
import Foundation
import Testing

@testable import AlmanacRollout

@Suite struct DeployabilityTests {
    static func revisions(_ states: [QAState]) -> [Revision] {
        states.enumerated().map { Revision(hash: "r\($0.offset + 1)", author: "ann", subject: "change \($0.offset + 1)", qa: $0.element) }
    }

    /// Expected values worked out by hand: the newest revision such that it and all before it
    /// are ok or untestable.
    @Test(
        arguments: [
            ([], nil, nil),
            ([.ok], "r1", nil),
            ([.ok, .untestable, .ok], "r3", nil),
            ([.ok, .needsTesting, .ok], "r1", "r2"),
            ([.bad, .ok, .ok], nil, "r1"),
            ([.ok, .ok, .bad], "r2", "r3"),
            ([.untestable, .untestable], "r2", nil),
            ([.needsTesting], nil, "r1"),
            ([.ok, .ok, .ok, .ok, .needsTesting, .bad], "r4", "r5"),
        ] as [([QAState], String?, String?)])
    func deployableRevision(states: [QAState], deployable: String?, blockedBy: String?) {
        let result = Deployability(revisions: Self.revisions(states))
        #expect(result.deployable == deployable)
        #expect(result.blockedBy == blockedBy)
    }

    @Test func theReasonNamesTheRevisionItsIssuesAndItsState() {
        var revisions = Self.revisions([.ok, .bad])
        revisions[1].issues = ["#12"]
        #expect(Deployability(revisions: revisions).reason == "r2 (#12) is QA'd bad: change 2")
        #expect(Deployability(revisions: Self.revisions([.needsTesting])).reason == "r1 is not QA'd yet: change 1")
    }

    @Test func revisionsFromGitLog() {
        let log = "abc123\u{1f}Ann\u{1f}Fix the cache (#12)\u{1f}Also LP: #34\n\u{1e}\ndef456\u{1f}Bob\u{1f}Tidy\u{1f}\u{1e}\n"
        let revisions = Revision.parseLog(log)
        #expect(revisions.map(\.hash) == ["abc123", "def456"])
        #expect(revisions[0].issues == ["#12", "#34"] && revisions[0].author == "Ann" && revisions[0].qa == .needsTesting)
        #expect(revisions[1].subject == "Tidy" && revisions[1].issues.isEmpty)
    }

    @Test func issueReferencesInMessages() {
        #expect(IssueReferences.find(in: "Fix the image cache (#123), LP: #456") == ["#123", "#456"])
        #expect(IssueReferences.find(in: "OFF-42: faster exports; see GH-7 and OFF-42") == ["OFF-42", "GH-7"])
        #expect(IssueReferences.find(in: "color#fff and C-3 and x#1") == [])
    }
}

@Suite struct PipelineTests {
    static let text = """
        repository: ../app
        commands:
          deploy: ssh {host} deploy {revision}
          health: http://{host}/health
          drain: lb drain {host}
          undrain: lb undrain {host}
        timeouts: {deploy: 2m}
        environments:
          - name: staging
            hosts: [staging1]
            follow: main
            at: "03:00"
          - name: production
            hosts: [app1, app2, app3, app4, app5, app6, app7, app8]
            waves: [1, 25%, 100%]
            gates: {alerts: true, error_rate: {series: http_errors_ratio, above: 0.02}}
        """

    @Test func parsesEnvironmentsWavesAndGates() throws {
        let pipeline = try PipelineFile.parse(try ConfigDocument.parse(Self.text, file: "pipeline/pipeline.yaml"))
        #expect(pipeline.deployTimeout == 120_000 && pipeline.healthTimeout == 30_000 && pipeline.branch == "main")
        let production = try #require(pipeline.environment("production"))
        #expect(production.waves == [.hosts(1), .percent(25), .percent(100)])
        #expect(production.gates.errorRate?.series == "http_errors_ratio")
        #expect(pipeline.environment("staging")?.at == 180)
        #expect(
            Pipeline.plan(hosts: production.hosts, waves: production.waves) == [
                ["app1"], ["app2"], ["app3", "app4", "app5", "app6", "app7", "app8"],
            ])
    }

    @Test func setupAndAnEnvironmentWithoutQA() throws {
        let text = "repository: x\ncommands: {deploy: d, health: h, setup: git clone u x}\nenvironments: [{name: s, hosts: [a], qa: none}]\n"
        let pipeline = try PipelineFile.parse(try ConfigDocument.parse(text, file: "p.yaml"))
        #expect(pipeline.commands.setup == "git clone u x" && pipeline.environment("s")?.requiresQA == false)
        let pending = ["a", "b", "c"].map { Revision(hash: $0, author: "ann", subject: $0) }
        #expect(Deployability(revisions: pending, requiresQA: false).deployable == "c")
        #expect(Deployability(revisions: pending).deployable == nil, "where QA is required, nothing untested goes")
        var withBad = pending
        withBad[1].qa = .bad
        let blocked = Deployability(revisions: withBad, requiresQA: false)
        #expect(blocked.deployable == "a" && blocked.blockedBy == "b", "a revision QA'd bad holds the rest back even without QA")
    }

    @Test func dailyFollowIsDueOnceADayAfterItsTime() {
        let midnight: Int64 = 1_795_392_000_000
        let minute: Int64 = 60_000
        // Due at 03:00 (180): not before, once after, again the next day.
        #expect(Pipeline.followDue(minuteOfDay: 180, lastRun: midnight - 86_400_000 + 181 * minute, now: midnight + 179 * minute) == false)
        #expect(Pipeline.followDue(minuteOfDay: 180, lastRun: midnight - 86_400_000 + 181 * minute, now: midnight + 180 * minute))
        #expect(Pipeline.followDue(minuteOfDay: 180, lastRun: midnight + 180 * minute, now: midnight + 600 * minute) == false)
        #expect(Pipeline.followDue(minuteOfDay: 180, lastRun: midnight + 180 * minute, now: midnight + 86_400_000 + 180 * minute))
        #expect(Pipeline.followDue(minuteOfDay: 180, lastRun: nil, now: midnight + 10 * minute), "never ran: yesterday's run is owed")
    }

    @Test func wavePlans() {
        let hosts = ["a", "b", "c", "d"]
        #expect(Pipeline.plan(hosts: hosts, waves: [.percent(100)]) == [["a", "b", "c", "d"]])
        #expect(Pipeline.plan(hosts: hosts, waves: [.hosts(1), .percent(50)]) == [["a"], ["b"], ["c", "d"]])
        #expect(Pipeline.plan(hosts: hosts, waves: [.hosts(1), .hosts(1), .percent(10)]) == [["a"], ["b"], ["c"], ["d"]])
        #expect(Pipeline.plan(hosts: ["a"], waves: [.hosts(1), .percent(50), .percent(100)]) == [["a"]])
    }

    @Test(
        arguments: [
            ("repository: x\ncommands: {deploy: d}\nenvironments: [{name: p, hosts: [a]}]\n", "p.yaml:2: commands: missing 'health' check"),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments: [{name: p, hosts: []}]\n",
                "p.yaml:3: environments[0]: missing 'hosts' (a list)"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments: [{name: p, hosts: [a], waves: [0]}]\n",
                "p.yaml:3: environments[0].waves[0]: a wave is a number of hosts (1) or a share of them (25%)"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments: [{name: p, hosts: [a], waves: [150%]}]\n",
                "p.yaml:3: environments[0].waves[0]: a percentage is 1% to 100%"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments:\n  - {name: p, hosts: [a]}\n  - {name: q, hosts: [a]}\n",
                "p.yaml:5: environments[1].hosts: host 'a' is already in environment 'p'"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h, drain: x}\nenvironments: [{name: p, hosts: [a]}]\n",
                "p.yaml:2: commands: drain and undrain go together"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nhosts: [a, b]\nenvironments: [{name: p, hosts: [a, c]}]\n",
                "p.yaml:4: environments[0].hosts: unknown host 'c' (not in the top-level hosts list)"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments: [{name: p, hosts: [a], canary: 1}]\n",
                "p.yaml:3: environments[0].canary: unknown field (expected one of at, database, follow, gates, hosts, name, qa, waves)"
            ),
            (
                "repository: x\ncommands: {deploy: d, health: h}\nenvironments: [{name: p, hosts: [a], qa: sometimes}]\n",
                "p.yaml:3: environments[0].qa: 'required' (every revision QA'd ok or untestable first) or 'none' (QA happens here)"
            ),
        ] as [(String, String)])
    func badFilesSayWhere(text: String, message: String) {
        do {
            _ = try PipelineFile.parse(try ConfigDocument.parse(text, file: "p.yaml"))
            Issue.record("must fail: \(message)")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct RolloutTests {
    static func start(_ waves: [[String]]) -> Rollout {
        Rollout(id: "1", environment: "production", from: "old", to: "new", startedBy: "ann", waves: waves)
    }

    /// Runs actions until none is left or `fail` says a step fails.
    static func drive(_ rollout: inout Rollout, fail: (Rollout.Action) -> String? = { _ in nil }) -> [String] {
        var log: [String] = []
        while rollout.phase == .running || rollout.phase == .rollingBack {
            if let action = rollout.next {
                log.append("\(action.host) \(action.step.rawValue) \(action.revision)")
                if let error = fail(action) { rollout.failed(action, error: error) } else { rollout.succeeded(action) }
            } else if rollout.waveDone {
                rollout.advance()
            } else {
                break
            }
        }
        return log
    }

    /// What charts mark: the start, and the first step back to the old revision.
    @Test func momentsAreTheStartAndTheRollback() {
        var rollout = Self.start([["a"], ["b"]])
        rollout.log = [
            .init(at: 1_000, host: "a", step: .deploy, revision: "new", ok: false, milliseconds: 5, output: "exit 1"),
            .init(at: 2_000, host: "a", step: .deploy, revision: "old", ok: true, milliseconds: 5, output: ""),
        ]
        rollout.failure = "a: deploy failed: exit 1"
        let moments = rollout.moments(startedAt: 500)
        #expect(moments.map(\.at) == [500, 2_000] && moments.map(\.rollback) == [false, true])
        #expect(moments[0].text == "rollout of production to new by ann")
        #expect(moments[1].text == "rollback of production to old: a: deploy failed: exit 1")
        rollout.log.removeLast()
        #expect(rollout.moments(startedAt: 500).count == 1)
    }

    @Test func goodRevisionGoesWaveByWaveHostByHost() {
        var rollout = Self.start([["a"], ["b", "c"]])
        let log = Self.drive(&rollout)
        #expect(
            log == [
                "a drain new", "a deploy new", "a check new", "a undrain new",
                "b drain new", "b deploy new", "b check new", "b undrain new", "c drain new", "c deploy new", "c check new", "c undrain new",
            ])
        #expect(rollout.phase == .succeeded)
        #expect(rollout.hosts.values.allSatisfy { $0.revision == "new" })
    }

    @Test func failedHealthCheckAtTheCanaryRollsItBackAndLeavesTheRestAlone() {
        var rollout = Self.start([["a"], ["b", "c"]])
        let log = Self.drive(&rollout) { $0.step == .check && $0.revision == "new" ? "HTTP 500" : nil }
        #expect(
            log == [
                "a drain new", "a deploy new", "a check new",
                "a drain old", "a deploy old", "a check old", "a undrain old",
            ])
        #expect(rollout.phase == .rolledBack)
        #expect(rollout.failure == "a: check failed: HTTP 500")
        #expect(rollout.hosts.values.allSatisfy { $0.revision == "old" })
    }

    @Test func failureInTheSecondWaveRollsBackEveryChangedHost() {
        var rollout = Self.start([["a"], ["b", "c"]])
        let log = Self.drive(&rollout) { $0.host == "c" && $0.step == .deploy && $0.revision == "new" ? "timed out after 5m" : nil }
        // c failed while drained: it goes back first, without a second drain; then b, then a.
        #expect(
            Array(log.suffix(11)) == [
                "c deploy old", "c check old", "c undrain old", "b drain old", "b deploy old", "b check old", "b undrain old",
                "a drain old", "a deploy old", "a check old", "a undrain old",
            ])
        #expect(rollout.phase == .rolledBack)
        #expect(rollout.hosts.values.allSatisfy { $0.revision == "old" })
    }

    @Test func gateFailureBetweenWavesRollsBack() {
        var rollout = Self.start([["a"], ["b"]])
        while let action = rollout.next { rollout.succeeded(action) }
        #expect(rollout.waveDone)
        rollout.rollBack(because: "alert DiskAlmostFull fired")
        _ = Self.drive(&rollout)
        #expect(rollout.phase == .rolledBack && rollout.hosts["a"]?.revision == "old" && rollout.hosts["b"]?.revision == "old")
    }

    @Test func aRestartMidDeployIsInterruptedAndCanResume() throws {
        var rollout = Self.start([["a"], ["b"]])
        rollout.succeeded(try #require(rollout.next))  // a drained
        rollout.succeeded(try #require(rollout.next))  // a deploy done, not yet checked
        let saved = try JSONEncoder().encode(rollout)
        var restored = try JSONDecoder().decode(Rollout.self, from: saved)
        restored.interrupt()
        #expect(restored.phase == .interrupted && restored.hosts["a"]?.revision == nil && restored.next == nil)
        restored.resume()
        #expect(restored.next == Rollout.Action(host: "a", step: .check, revision: "new"))
        _ = Self.drive(&restored)
        #expect(restored.phase == .succeeded)
    }

    @Test func pauseAndAbort() throws {
        var rollout = Self.start([["a"]])
        rollout.pause()
        #expect(rollout.next == nil && rollout.phase == .paused)
        rollout.resume()
        #expect(rollout.next?.step == .drain)
        rollout.abort()
        #expect(rollout.phase == .aborted && rollout.next == nil)
    }

    @Test func aHeldRolloutWaitsForAPersonAndForgetsWhyOnResume() throws {
        var rollout = Self.start([["a"], ["b"]])
        rollout.hold(because: "the alert gate cannot read the alert state")
        #expect(rollout.phase == .paused && rollout.next == nil)
        #expect(rollout.held == "the alert gate cannot read the alert state")
        let saved = try JSONDecoder().decode(Rollout.self, from: try JSONEncoder().encode(rollout))
        #expect(saved.held == rollout.held, "the reason survives a restart")
        rollout.resume()
        #expect(rollout.phase == .running && rollout.held == nil)
        rollout.rollBack(because: "bad")
        rollout.hold(because: "too late")
        #expect(rollout.phase != .paused && rollout.held == nil, "only a moving rollout is held")
    }
}
