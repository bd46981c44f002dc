import AlmanacCatalog
import AlmanacConfig
import Testing

@testable import AlmanacChecks

/// The recovery rules, decision by decision: backoff that doubles, a budget then one escalation,
/// a stable period that starts over, and a dependency's failure that holds the recovery.
@Suite struct RecoveryTests {
    static let plan = RecoveryPlan(
        arguments: ["/bin/true"], budget: 3, window: 600_000, backoff: 1000, maximumBackoff: 3000, stable: 60_000, timeout: 1000)

    @Test func backoffBudgetThenOneEscalation() {
        var state = RecoveryState()
        func decide(_ now: Int64, ok: Bool = false, hard: Bool = true, failing: [String] = []) -> RecoveryDecision {
            state.decide(Self.plan, hardProblem: hard, ok: ok, failingDependencies: failing, now: now)
        }
        #expect(decide(0, hard: false) == .none, "a soft problem is not acted on")
        #expect(decide(10) == .recover(attempt: 1))
        #expect(decide(500) == .wait(until: 1010), "1 s of backoff")
        #expect(decide(1010) == .recover(attempt: 2))
        #expect(decide(2500) == .wait(until: 3010), "then 2 s")
        #expect(decide(3010) == .recover(attempt: 3))
        #expect(state.notBefore == 6010, "then 3 s, the maximum")
        // It came back for a while, not long enough to count as stable, and fell again.
        #expect(decide(7000, ok: true) == .none)
        #expect(decide(8000) == .escalate(runs: 3), "the budget is spent: people are told")
        #expect(decide(9000) == .none && decide(20_000) == .none, "once")
        // Stable for a minute: the count, the backoff and the escalation start over.
        #expect(decide(30_000, ok: true) == .none && decide(90_000, ok: true) == .none)
        #expect(decide(91_000) == .recover(attempt: 1) && state.notBefore == 92_000)
    }

    @Test func aFailingDependencyHoldsTheRecoveryAndIsNamedOnce() {
        var state = RecoveryState()
        let cause = ["resource:default/products-db"]
        #expect(state.decide(Self.plan, hardProblem: true, ok: false, failingDependencies: cause, now: 0) == .held(by: cause[0], announce: true))
        #expect(state.decide(Self.plan, hardProblem: true, ok: false, failingDependencies: cause, now: 100) == .held(by: cause[0], announce: false))
        #expect(state.runs.isEmpty, "nothing was restarted")
        #expect(
            state.decide(Self.plan, hardProblem: true, ok: false, failingDependencies: [], now: 200) == .recover(attempt: 1), "cause gone: recover")
    }

    @Test func theFileSaysHowToRecover() throws {
        let root = try ConfigDocument.parse(
            """
            recovery: {concurrent: 2}
            checks:
              - name: app
                entity: search
                interval: 1s
                host: web1
                tcp: {host: web1, port: 80}
                recover: {run: "/usr/bin/ssh {host} sudo systemctl restart search", budget: 2, within: 10m, backoff: 5s, max_backoff: 1m}
            """, file: "checks/app.yaml")
        let check = try CheckFile.parse(root, entities: nil)[0]
        #expect(check.recovery?.arguments == ["/usr/bin/ssh", "web1", "sudo", "systemctl", "restart", "search"])
        #expect(check.recovery?.budget == 2 && check.recovery?.window == 600_000 && check.recovery?.backoff == 5000)
        #expect(try CheckFile.concurrentRecoveries(root) == 2)
        func problem(_ recover: String) -> String {
            do {
                let yaml = "checks:\n  - {name: a, entity: search, interval: 1s, tcp: {host: h, port: 1}, recover: \(recover)}\n"
                _ = try CheckFile.parse(try ConfigDocument.parse(yaml, file: "checks/a.yaml"), entities: nil)
                return "parsed"
            } catch { return "\(error)" }
        }
        #expect(problem("{run: \"/bin/restart {service}\"}").contains("unknown placeholder '{service}'"))
        #expect(problem("{run: \"/bin/restart {service}\"}").contains("checks/a.yaml:2"))
        #expect(problem("{run: restart}").contains("absolute path"))
        #expect(problem("{run: /bin/x, backoff: 1m, max_backoff: 10s}").contains("at least 'backoff'"))
    }
}
