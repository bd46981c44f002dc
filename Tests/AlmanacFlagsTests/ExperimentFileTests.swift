import AlmanacConfig
import AlmanacExperiments
import AlmanacFlags
import Testing

/// A flag's `experiment:` block: read with the flag, each mistake named by file, line and field.
@Suite struct ExperimentFileTests {
    static func flag(_ experiment: String) -> String {
        """
        flags:
          hero:
            state: ENABLED
            variants: {control: a, scan: b, staff: c}
            defaultVariant: control
            targeting: {fractional: [[control, 50], [scan, 50]]}
            experiment:
        \(experiment.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    func load(_ experiment: String) -> Result<FlagSet, ConfigErrors> {
        FlagLoader.load([.init(file: "flags/web.yaml", text: Self.flag(experiment))])
    }

    func errors(_ experiment: String) -> [String] {
        if case .failure(let e) = load(experiment) { return e.errors.map(\.description) }
        return []
    }

    @Test func aFullBlockLoads() throws {
        let set = try load(
            """
            control: control
            variants: [control, scan]
            split: {control: 60, scan: 40}
            metrics: [{name: scans, event: scan}, {name: errors, lower_is_better: true}]
            guardrails: [errors]
            sample_size: 20000
            duration: 14d
            opt_out: optOut
            """
        ).get()
        let spec = try #require(set.flags["hero"]?.experiment)
        #expect(spec.variants == ["control", "scan"] && spec.weights == [60, 40] && spec.days == 14 && spec.sampleSize == 20000)
        #expect(spec.metrics.map(\.event) == ["scan", "errors"] && spec.metrics[1].lowerIsBetter && spec.guardrails == ["errors"])
        // Opting out serves control before the rules.
        let evaluator = FlagEvaluator(flags: set)
        let opted = evaluator.evaluate("hero", context: ["targetingKey": .string("u1"), "optOut": .bool(true)], timestamp: 0)
        #expect(opted.variant == "control")
    }

    @Test func mistakesNameTheLine() {
        #expect(
            errors("control: blue\nmetrics: [{name: a}]") == ["flags/web.yaml:8: flags.hero.experiment.control: 'blue' is not a variant of the flag"])
        #expect(
            errors("control: control\nmetrics: []") == [
                "flags/web.yaml:9: flags.hero.experiment.metrics: a list of metrics, such as {name: scans, event: scan}"
            ])
        #expect(
            errors("control: control\nmetrics: [{name: a}]\nguardrails: [b]")
                == ["flags/web.yaml:10: flags.hero.experiment.guardrails[0]: not one of the metrics"])
        #expect(
            errors("control: control\nmetrics: [{name: a}]\nduration: 36h") == [
                "flags/web.yaml:10: flags.hero.experiment.duration: whole days, such as 14d"
            ])
        #expect(
            errors("control: control\nmetrics: [{name: a, kind: median}]")
                == ["flags/web.yaml:9: flags.hero.experiment.metrics[0].kind: one of proportion, mean, counter, ratio"])
        #expect(
            errors("control: control\nmetrics: [{name: a, kind: ratio, numerator: errors_total}]")
                == [
                    "flags/web.yaml:9: flags.hero.experiment.metrics[0]: "
                        + "a ratio metric reads 'numerator' and 'denominator' (selectors of two counters)"
                ])
        #expect(
            errors("control: control\nmetrics: [{name: a, kind: counter, series: orders_total, event: order}]")
                == ["flags/web.yaml:9: flags.hero.experiment.metrics[0].event: a metric read from series takes no events"])
        #expect(
            errors("control: control\nmetrics: [{name: a, series: orders_total}]")
                == ["flags/web.yaml:9: flags.hero.experiment.metrics[0].series: only a counter or ratio metric reads series"])
        #expect(
            errors("control: control\nvariants: [control, scan]\nsplit: {control: 50}\nmetrics: [{name: a}]")
                == ["flags/web.yaml:10: flags.hero.experiment.split: no weight for 'scan'"])
    }
}
