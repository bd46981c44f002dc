import AlmanacConfig
import Testing

@testable import AlmanacRollout

/// Stages by role and scheduled jobs held on backend hosts, from `pipeline/pipeline.yaml` to
/// the order of a rollout's steps.
@Suite struct RolesTests {
    static let text = """
        repository: ../app
        commands: {deploy: "deploy {host} {revision}", health: "http://{host}/health", drain: "lb drain {host}", undrain: "lb undrain {host}"}
        roles:
          - name: front
            commands: {deploy: "assets {host} {revision}", cleanup: "prune {host} {revision}"}
          - name: app
            waves: [1, 100%]
          - name: backend
            exec: "ssh {host}"
            jobs:
              - name: export
                schedule: "*/10 * * * *"
                running: {lock_file: /run/export.lock}
                hold: {file: /run/export.hold}
                wait: 2m
              - {name: sitemap, running: {process: sitemap.py}, hold: {command: "touch /h", release: "rm /h"}, kill: pkill sitemap}
        environments:
          - name: production
            hosts: {backend: [cron1], app: [app1, app2, app3], front: [web1]}
        """

    static func pipeline() throws -> Pipeline { try PipelineFile.parse(try ConfigDocument.parse(text, file: "pipeline/pipeline.yaml")) }

    @Test func stagesGoInTheRolesOrderEachWithItsWavesAndCommands() throws {
        let pipeline = try Self.pipeline()
        let production = try #require(pipeline.environment("production"))
        #expect(production.hosts == ["web1", "app1", "app2", "app3", "cron1"], "every host, in the roles' order")
        #expect(pipeline.stages(production).map(\.role) == ["front", "app", "backend"])
        #expect(pipeline.stages(production).flatMap(\.waves) == [["web1"], ["app1"], ["app2", "app3"], ["cron1"]])
        #expect(pipeline.commands(host: "web1", in: production).deploy == "assets {host} {revision}")
        #expect(pipeline.commands(host: "web1", in: production).drain == "lb drain {host}", "what a role leaves out comes from the pipeline")
        #expect(pipeline.commands(host: "app2", in: production).deploy == "deploy {host} {revision}")
        #expect(pipeline.commands(host: "app2", in: production).cleanup == nil)
        #expect(pipeline.singlePoints(production).map(\.role) == ["front", "backend"])
        #expect(pipeline.holding(production) == ["cron1"])
        let jobs = try #require(pipeline.role("backend")?.jobs)
        #expect(jobs[0].running == .lockFile("/run/export.lock") && jobs[0].hold == .file("/run/export.hold") && jobs[0].wait == 120_000)
        #expect(jobs[1].running == .process("sitemap.py") && jobs[1].kill == "pkill sitemap" && jobs[1].wait == 300_000)
    }

    /// A host with jobs is held before it is drained and released after it is back; the others
    /// keep the four steps.
    @Test func aBackendHostIsHeldAroundItsDeploy() throws {
        let pipeline = try Self.pipeline()
        let production = try #require(pipeline.environment("production"))
        var rollout = Rollout(
            id: "1", environment: "production", from: "old", to: "new", startedBy: "ann", waves: pipeline.stages(production).flatMap(\.waves),
            roles: pipeline.hostRoles(production), holding: pipeline.holding(production))
        let log = RolloutTests.drive(&rollout)
        #expect(log.filter { $0.hasPrefix("cron1") } == ["hold", "drain", "deploy", "check", "undrain", "release"].map { "cron1 \($0) new" })
        #expect(log.filter { $0.hasPrefix("web1") } == ["drain", "deploy", "check", "undrain"].map { "web1 \($0) new" })
        #expect(log.first == "web1 drain new" && log.last == "cron1 release new", "the front first, the backend last")
        #expect(rollout.phase == .succeeded)
    }

    /// A job that cannot be held stops the rollout where it stands: nothing rolls back, since
    /// nothing is wrong with the revision; resumed, the hold is tried again.
    @Test func aJobThatCannotBeHeldStopsTheRolloutWithoutARollback() throws {
        var rollout = Rollout(id: "1", environment: "p", from: "old", to: "new", startedBy: "ann", waves: [["app1"], ["cron1"]], holding: ["cron1"])
        var log: [String] = []
        while let action = rollout.next
            ?? (rollout.waveDone
                ? {
                    rollout.advance()
                    return rollout.next
                }() : nil)
        {
            log.append("\(action.host) \(action.step.rawValue)")
            if action.step == .hold {
                rollout.stalled(action, error: "job 'export' still runs after 120 s")
            } else {
                rollout.succeeded(action)
            }
        }
        #expect(rollout.phase == .paused && rollout.held == "cron1: hold: job 'export' still runs after 120 s")
        #expect(log.last == "cron1 hold" && rollout.hosts["app1"]?.revision == "new", "app1 keeps the new revision")
        rollout.resume()
        #expect(rollout.next == .init(host: "cron1", step: .hold, revision: "new"))
    }

    /// Rolling back a held host goes through the hold again (the new revision may have been
    /// half-deployed) and releases at the end.
    @Test func aRollbackOfAHeldHostReleasesItsJobs() {
        var rollout = Rollout(id: "1", environment: "p", from: "old", to: "new", startedBy: "ann", waves: [["cron1"]], holding: ["cron1"])
        let log = RolloutTests.drive(&rollout) { $0.step == .check && $0.revision == "new" ? "unhealthy" : nil }
        #expect(log.suffix(6) == ["hold", "drain", "deploy", "check", "undrain", "release"].map { "cron1 \($0) old" })
        #expect(rollout.phase == .rolledBack)
    }

    static let oneHost = "environments: [{name: p, hosts: {a: [h]}}]\n"

    @Test(
        arguments: [
            (
                "roles: [{name: a}]\nenvironments: [{name: p, hosts: [h]}]\n",
                "p.yaml:4: environments[0].hosts: with roles, hosts are a mapping of role to hosts (a: [...])"
            ),
            ("roles: [{name: a}]\nenvironments: [{name: p, hosts: {b: [h]}}]\n", "p.yaml:4: environments[0].hosts.b: unknown role 'b' (roles: a)"),
            (
                "roles: [{name: a}, {name: b}]\nenvironments: [{name: p, hosts: {a: [h], b: [h]}}]\n",
                "p.yaml:4: environments[0].hosts: host 'h' has two roles"
            ),
            (
                "roles: [{name: a}]\nenvironments: [{name: p, hosts: {a: [h]}, waves: [1]}]\n",
                "p.yaml:4: environments[0].waves: with roles, waves go on each role"
            ),
            (
                "roles: [{name: a, jobs: [{name: j, hold: {file: /h}}]}]\nenvironments: [{name: p, hosts: {a: [h]}}]\n",
                "p.yaml:3: roles[0].jobs[0]: missing 'running' (lock_file, pid_file, process or command: how to see that a run is under way)"
            ),
            (
                "roles: [{name: a, jobs: [{name: j, running: {pid_file: /p, process: x}, hold: {file: /h}}]}]\n" + Self.oneHost,
                "p.yaml:3: roles[0].jobs[0].running: exactly one of lock_file, pid_file, process or command"
            ),
            (
                "roles: [{name: a, jobs: [{name: j, running: {process: .x}, hold: {file: /h}}]}]\n" + Self.oneHost,
                "p.yaml:3: roles[0].jobs[0].running.process: a process pattern starts with a letter, a digit or /"
            ),
            (
                "roles: [{name: a, jobs: [{name: j, running: {pid_file: /p}, hold: {command: x}}]}]\n" + Self.oneHost,
                "p.yaml:3: roles[0].jobs[0].hold: a hold command needs its release command"
            ),
            (
                "roles: [{name: a, jobs: [{name: j, running: {pid_file: /p}, hold: {file: /h}, wait: soon}]}]\n" + Self.oneHost,
                "p.yaml:3: roles[0].jobs[0].wait: must be a duration such as 15s, 1m or 2h"
            ),
        ] as [(String, String)])
    func badRolesSayWhere(text: String, message: String) {
        do {
            _ = try PipelineFile.parse(try ConfigDocument.parse("repository: x\ncommands: {deploy: d, health: h}\n" + text, file: "p.yaml"))
            Issue.record("must fail: \(message)")
        } catch {
            #expect(error.description == message)
        }
    }
}
