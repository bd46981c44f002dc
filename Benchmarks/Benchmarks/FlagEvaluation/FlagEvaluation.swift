import AlmanacConfig
import AlmanacFlags
import Benchmark

/// Evaluation cost per flag kind, next to a reference measured in the same run: looking the
/// flag up and copying its default value, the least any evaluator must do.
let flagFile = """
    $evaluators:
      is-staff: {ends_with: [{var: email}, "@example.org"]}
    flags:
      static-flag:
        state: ENABLED
        variants: {on: true, off: false}
        defaultVariant: on
      targeting-flag:
        state: ENABLED
        variants: {a: a, b: b, c: c}
        defaultVariant: a
        targeting:
          if:
            - {$ref: is-staff}
            - b
            - {and: [{in: [{var: country}, [fr, be, ch]]}, {">=": [{var: age}, 18]}]}
            - c
            - null
      fractional-flag:
        state: ENABLED
        variants: {control: control, treatment: treatment}
        defaultVariant: control
        targeting:
          fractional: [[control, 50], [treatment, 50]]
    """

let benchmarks: @Sendable () -> Void = {
    let flags = try! FlagLoader.load([.init(file: "bench.yaml", text: flagFile)]).get()
    let evaluator = FlagEvaluator(flags: flags)
    let context: [String: JSONValue] = ["targetingKey": "user-4711", "email": "ann@gmail.com", "country": "be", "age": 34]
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(2))

    Benchmark("reference: lookup and copy") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.effective["static-flag"]?.variants["on"])
        }
    }
    for key in ["static-flag", "targeting-flag", "fractional-flag"] {
        Benchmark("evaluate \(key)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(evaluator.evaluate(key, context: context, timestamp: 1_800_000_000))
            }
        }
    }
}
