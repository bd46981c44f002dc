import AlmanacConfig
import AlmanacFlags
import Foundation
import Testing

/// Random and mutated input to the flag file loader: it must answer with a located error or a
/// valid set, never crash or hang.
@Suite struct LoaderFuzzTests {
    static let seed = """
        $evaluators:
          staff: {ends_with: [{var: email}, "@x.org"]}
        flags:
          a:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
            targeting: {if: [{$ref: staff}, on, {fractional: [[on, 1], [off, 3]]}]}
            scopes: [{team: qa, variant: on}, {slice: 5, variant: on}]
          b: {state: DISABLED, variants: {x: 1.5, y: 2}, defaultVariant: x}
        """

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state ^ (state >> 29)
        }
    }

    func check(_ text: String) {
        switch FlagLoader.load([.init(file: "fuzz.yaml", text: text)]) {
        case .success(let set):
            let evaluator = FlagEvaluator(flags: set)
            for key in set.keys { _ = evaluator.evaluate(key, context: ["targetingKey": "u", "email": "e@x.org"], timestamp: 0) }
        case .failure(let errors):
            #expect(errors.errors.allSatisfy { $0.file == "fuzz.yaml" && !$0.message.isEmpty })
        }
    }

    @Test func randomBytes() {
        var random = Generator(state: 42)
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func mutatedValidFiles() {
        var random = Generator(state: 7)
        let original = Array(Self.seed.utf8)
        let alphabet = Array("{}[]:,-\"' \n\tabc0123.&*!|>$".utf8)
        var loaded = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[at] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                default: bytes = Array(bytes[..<at])
                }
                if bytes.isEmpty { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if case .success = FlagLoader.load([.init(file: "fuzz.yaml", text: text)]) { loaded += 1 }
            check(text)
        }
        #expect(loaded > 0, "some mutations should still be valid, or the mutator is too blunt")
        #expect(loaded < 3000)
    }
}
