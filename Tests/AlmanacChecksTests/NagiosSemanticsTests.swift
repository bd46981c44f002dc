import Testing

@testable import AlmanacChecks

/// Soft and hard states, flap detection and plugin output as Nagios defines them, in golden cases
/// from its documentation and its source (base/checks.c, base/flapping.c).
@Suite struct NagiosSemanticsTests {
    /// The State Types page's table, max_check_attempts 3: each row's state, type, check number
    /// and whether the state changed.
    @Test func stateTypesFollowNagiosTable() {
        var tracker = CheckTracker(attempts: 3)
        let rows: [(CheckStatus, CheckStatus, StateType, Int, Bool)] = [
            (.critical, .critical, .soft, 1, true),
            (.warning, .warning, .soft, 2, true),
            (.critical, .critical, .hard, 3, true),
            (.warning, .warning, .hard, 1, true),
            (.warning, .warning, .hard, 1, false),
            (.ok, .ok, .hard, 1, true),
            (.ok, .ok, .hard, 1, false),
            (.unknown, .unknown, .soft, 1, true),
            (.ok, .ok, .soft, 2, true),
            (.ok, .ok, .hard, 1, false),
        ]
        for (time, row) in rows.enumerated() {
            let step = tracker.record(row.0)
            #expect(step.status == row.1 && step.type == row.2 && step.attempt == row.3 && step.stateChange == row.4, "time \(time + 1): \(step)")
        }
        // Hard changes are what people hear of: the hard CRITICAL, the change to WARNING, the hard recovery.
        var again = CheckTracker(attempts: 3)
        #expect(rows.map { again.record($0.0).hardChange } == [false, false, true, true, false, true, false, false, false, false])
        var once = CheckTracker(attempts: 1)
        let first = once.record(.critical)
        #expect(first.type == .hard && first.hardChange, "one attempt: the first problem is hard")
    }

    /// The flapping page's example: 21 states with changes at t3, t4, t5, t9, t12, t16 and t19 are
    /// 35% unweighted; weighted from 0.75 to 1.25 (the change into entry x weighs
    /// 0.75 + (x − 1) × 0.5 / 19) they are (7 × 0.75 + 54 × 0.5 / 19) × 100 / 20 = 33.355%.
    @Test func flapDetectionWeighsRecentChanges() {
        let states: [CheckStatus] = [
            .ok, .ok, .warning, .critical, .ok, .ok, .ok, .ok, .critical, .critical, .critical, .warning, .warning, .warning, .warning, .ok,
            .ok, .ok, .critical, .critical, .critical,
        ]
        var detector = FlapDetector(low: 20, high: 30)
        var started: [Bool] = []
        for state in states { started.append(detector.record(state)) }
        #expect(abs(detector.percent - (7 * 0.75 + 54 * 0.5 / 19) * 5) < 1e-9)
        #expect(detector.flapping && started.filter { $0 }.count == 1)
        // Every result a change: 100%. Then steady: it drops below the low threshold and stops.
        var alternating = FlapDetector()
        for index in 0..<21 { _ = alternating.record(index % 2 == 0 ? .critical : .ok) }
        #expect(abs(alternating.percent - 100) < 1e-9 && alternating.flapping)
        var stopped = false
        var steady = 0
        while !stopped {
            stopped = alternating.record(.ok)
            steady += 1
        }
        #expect(!alternating.flapping && alternating.percent <= 5 && steady == 20)
    }

    /// Between the thresholds nothing changes: neither starting nor stopping.
    @Test func betweenThresholdsTheFlapStateHolds() {
        var detector = FlapDetector(low: 5, high: 20)
        for state in [CheckStatus.critical, .ok, .critical] { _ = detector.record(state) }
        #expect(detector.percent > 5 && detector.percent < 20 && !detector.flapping)
    }

    @Test func pluginOutputAndPerfdata() {
        let tcp = PluginOutput("TCP OK - 0.000 second response time on 127.0.0.1 port 22|time=0.000183s;;;0.000000;10.000000\n")
        #expect(tcp.text == "TCP OK - 0.000 second response time on 127.0.0.1 port 22")
        #expect(
            tcp.metrics == [.init(label: "time", value: 0.000183, unit: "s", warning: nil, critical: nil, minimum: "0.000000", maximum: "10.000000")])
        // The guidelines' long form: more text, and perfdata continued after a later '|'.
        let disk = PluginOutput(
            "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n/ 15272 MB (77%);\n/boot 68 MB (69%);\n"
                + "/home 69357 MB (27%);| /boot=68MB;88;93;0;98\n'/home dir'=69357MB;253404;253409;0;253414 bad=x")
        #expect(disk.text == "DISK OK - free space: / 3326 MB (56%);")
        #expect(disk.longText == "/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);")
        #expect(disk.metrics.map(\.label) == ["/", "/boot", "/home dir"])
        #expect(disk.metrics[2].baseValue == 69357 * 1_048_576 && disk.metrics[0].critical == "5958")
        #expect(PluginOutput("OK | load=U;;").metrics.first?.value == nil)
        #expect(CheckStatus(exitCode: 7) == .unknown && CheckStatus(exitCode: 2) == .critical)
    }
}
