import AlmanacConfig
import AlmanacExperiments
import AlmanacFlags
import Testing

/// A flag's `ramp:` block: read with its mistakes named by line, served to its share of users,
/// and moved only while its guards hold.
@Suite struct RampTests {
    static func file(_ ramp: String) -> String {
        """
        flags:
          search:
            state: ENABLED
            variants: {old: false, new: true}
            defaultVariant: old
            ramp:
        \(ramp.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    func load(_ ramp: String) -> Result<FlagSet, ConfigErrors> {
        FlagLoader.load([.init(file: "flags/search.yaml", text: Self.file(ramp))])
    }

    func errors(_ ramp: String) -> [String] {
        if case .failure(let e) = load(ramp) { return e.errors.map(\.description) }
        return []
    }

    static let plain = """
        variant: new
        steps: [1, 10, 50, 100]
        every: 30s
        on_failure: revert
        guards:
          slos: [{slo: search-availability, max_burn: 2}]
          alerts: [SearchErrors]
          guardrails: [{name: errors, errors: 'app_requests_total{code="500"}', total: app_requests_total, margin: 0.01}]
        """

    @Test func aFullBlockLoads() throws {
        let ramp = try #require(try load(Self.plain).get().flags["search"]?.ramp)
        #expect(ramp.steps == [1, 10, 50, 100] && ramp.every == 30_000 && ramp.onFailure == .revert)
        #expect(ramp.slos.map(\.maxBurn) == [2] && ramp.alerts == ["SearchErrors"] && ramp.guardrails.map(\.label) == ["variant"])
    }

    @Test func mistakesAreNamedByLine() {
        // The block starts on line 6; its steps are on line 8.
        #expect(errors("variant: new\nsteps: [1, 10, 150]\nevery: 1h") == ["flags/search.yaml:8: flags.search.ramp.steps[2]: 150% is above 100"])
        #expect(
            errors("variant: new\nsteps: [1, 50, 10]\nevery: 1h")
                == ["flags/search.yaml:8: flags.search.ramp.steps[2]: steps must go up (50 then 10); a ramp goes down only by revert"])
        #expect(errors("variant: old\nsteps: [1]\nevery: 1h").first?.contains("already the default variant") == true)
        #expect(errors("variant: new\nsteps: [1]\nevery: 1h\non_failure: panic").first?.hasSuffix("on_failure: hold or revert") == true)
        #expect(errors("variant: new\nsteps: [1]").first?.contains("missing 'every'") == true)
        #expect(
            errors("variant: new\nsteps: [1]\nevery: 1h\nguards: {guardrails: [{name: e, total: t}]}").first?.contains("missing 'errors'") == true)
    }

    @Test func theShareGetsTheVariantAndKeepsItAsItGrows() throws {
        let flags = try load(Self.plain).get()
        func served(_ percent: Double?) -> Set<Int> {
            var runtime = RuntimeState()
            if let percent { runtime.ramps["search"] = RampPosition(step: 0, percent: percent, status: .running, since: 0) }
            let evaluator = FlagEvaluator(flags: flags, runtime: runtime)
            return Set(
                (0..<20_000).filter { user in
                    let resolution = evaluator.evaluate("search", context: ["targetingKey": .string("u\(user)")], timestamp: 0)
                    return resolution.variant == "new" && resolution.reason == .targetingMatch
                })
        }
        #expect(served(nil).isEmpty)
        let one = served(1)
        let ten = served(10)
        #expect(abs(Double(one.count) / 20_000 - 0.01) < 0.003 && abs(Double(ten.count) / 20_000 - 0.10) < 0.01)
        #expect(one.isSubset(of: ten) && served(100).count == 20_000)
        // Without a targeting key nobody can be placed: the default serves.
        let evaluator = FlagEvaluator(
            flags: flags, runtime: RuntimeState(ramps: ["search": RampPosition(step: 3, percent: 100, status: .running, since: 0)]))
        #expect(evaluator.evaluate("search", context: [:], timestamp: 0).variant == "old")
    }

    @Test func itStepsOnlyWhenItsTimeComesAndTheGuardsHold() throws {
        let ramp = try #require(try load(Self.plain).get().flags["search"]?.ramp)
        guard case .start(let first)? = ramp.decide(nil, guards: [], now: 1000) else {
            Issue.record("no start")
            return
        }
        #expect(first.percent == 1 && first.status == .running)
        #expect(ramp.decide(first, guards: [.holds], now: 30_999) == nil)
        guard case .step(let second)? = ramp.decide(first, guards: [.holds], now: 31_000) else {
            Issue.record("no step")
            return
        }
        #expect(second.percent == 10 && second.step == 1)
        // Failing reverts (as the file says); unreadable holds whatever the file says.
        guard case .revert(let reverted)? = ramp.decide(second, guards: [.holds, .fails("errors")], now: 32_000) else {
            Issue.record("no revert")
            return
        }
        #expect(reverted.percent == 0 && reverted.status == .reverted && reverted.reason == "errors")
        guard case .hold(let held)? = ramp.decide(second, guards: [.unreadable("Prometheus is down")], now: 70_000) else {
            Issue.record("no hold")
            return
        }
        #expect(held.percent == 10 && held.status == .held && held.reason?.contains("Prometheus is down") == true)
        #expect(ramp.decide(held, guards: [.holds], now: 999_000) == nil)
        let last = RampPosition(step: 3, percent: 100, status: .running, since: 0)
        #expect(ramp.decide(last, guards: [.holds], now: 30_000) == .complete(RampPosition(step: 3, percent: 100, status: .complete, since: 30_000)))
    }

    @Test func theGuardrailFailsOnlyWhenTheVariantIsSurelyWorse() {
        let control = GuardrailTest.Counts(total: 5400, errors: 0)
        // 5% errors against none: at 300 requests the interval already clears a 1-point margin.
        #expect(GuardrailTest.verdict(control: control, variant: .init(total: 300, errors: 15), margin: 0.01).harmful)
        #expect(!GuardrailTest.verdict(control: control, variant: .init(total: 40, errors: 2), margin: 0.01).harmful)
        #expect(!GuardrailTest.verdict(control: .init(total: 5400, errors: 27), variant: .init(total: 600, errors: 3), margin: 0.01).harmful)
        #expect(!GuardrailTest.verdict(control: control, variant: .init(total: 0, errors: 0), margin: 0).harmful)
    }
}
