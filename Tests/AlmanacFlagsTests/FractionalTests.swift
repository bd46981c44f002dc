import AlmanacConfig
import Testing

@testable import AlmanacFlags

/// Known vectors: hashes computed with the independent `mmh3` implementation (Python, seed 0, unsigned).
@Suite struct FractionalTests {
    @Test(arguments: [
        ("", UInt32(0)), ("a", 1_009_084_850), ("abcd", 1_139_631_978), ("hello world", 1_586_663_183),
        ("headline-testuser-1", 3_069_671_668), ("new-checkoutalice", 873_940_884), ("ünïcode-🙂", 1_648_561_564),
    ])
    func murmurMatchesReference(text: String, hash: UInt32) {
        #expect(MurmurHash3.hash32(text.utf8) == hash)
    }

    @Test func bucketFormula() {
        // (hash * weight) >> 32 for headline-testuser-1 (hash 3069671668): 71 of 100, 2 of 3.
        #expect(Interpreter.bucket(of: "headline-testuser-1", totalWeight: 100) == 71)
        #expect(Interpreter.bucket(of: "headline-testuser-1", totalWeight: 3) == 2)
        #expect(Interpreter.bucket(of: "headline-testuser-2", totalWeight: 100) == 84)
    }

    @Test func firstVariantWhoseCumulativeWeightExceedsBucket() {
        let data: JSONValue = ["targetingKey": "testuser-1", "$flagd": ["flagKey": "headline"]]
        // "headline" + "testuser-1" hashes to 260458230: bucket 6 of 100, so [a 6] misses and [b 1] catches.
        #expect(MurmurHash3.hash32("headlinetestuser-1".utf8) == 260_458_230)
        #expect(Interpreter.fractional([["a", 6], ["b", 1], ["c", 93]], data: data) == "b")
        #expect(Interpreter.fractional([["a", 7], ["b", 93]], data: data) == "a")
        // Explicit bucketing value, and weights defaulting to 1: "hello world" is bucket 1 of 3.
        #expect(Interpreter.fractional(["hello world", ["x"], ["y"], ["z"]], data: data) == "y")
    }

    @Test func badDistributionsGiveNull() {
        let data: JSONValue = ["targetingKey": "u"]
        #expect(Interpreter.fractional([["a", 0]], data: data) == .null)
        #expect(Interpreter.fractional([["a", "x"]], data: data) == .null)
        #expect(Interpreter.fractional([["a", 1]], data: [:]) == .null)
    }

    @Test func sliceIsStableAsItGrows() {
        let users = (0..<2000).map { "user-\($0)" }
        let inTen = users.filter { Interpreter.slice([10], data: ["targetingKey": .string($0), "$flagd": ["flagKey": "f"]]) == true }
        let inTwenty = users.filter { Interpreter.slice([20], data: ["targetingKey": .string($0), "$flagd": ["flagKey": "f"]]) == true }
        #expect(Set(inTen).isSubset(of: Set(inTwenty)))
        #expect((150...250).contains(inTen.count))
        #expect((330...470).contains(inTwenty.count))
    }
}

@Suite struct OverflowTests {
    @Test func extremeOperandsDoNotTrap() throws {
        #expect(Interpreter.fractional([["a", .int(.max)], ["b", .int(.max)], ["c", .int(.max)]], data: ["targetingKey": "u"]) == .null)
        #expect(try Interpreter.arithmetic(.modulo, [.int(.min), .int(-1)]) == .double(-0.0))
        #expect(try Interpreter.arithmetic(.add, [.int(.max), .int(1)]) == .double(9_223_372_036_854_775_808))
        #expect(try Interpreter.arithmetic(.multiply, [.int(.max), .int(.max)]) != .null)
    }
}
