import AlmanacConfig
import Foundation
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

    /// Canonical CBOR of bucketing values, and their hashes, from Python's cbor2 (`canonical=True`,
    /// after flagd's number normalisation) and mmh3, as openfeature-flagd-core 2 computes them.
    @Test(arguments: [
        (JSONValue.array(["headline", "testuser-1"]), "8268686561646c696e656a74657374757365722d31", UInt32(606_146_305)),
        (.string("hello world"), "6b68656c6c6f20776f726c64", 905_009_668), (.int(42), "182a", 1_424_811_390),
        (.double(1.5), "f93e00", 346_941_878), (.double(0.1), "fb3fb999999999999a", 109_103_420), (.int(-7), "26", 619_178_129),
        (.bool(true), "f5", 836_216_331), (.object(["b": 1, "aa": 2]), "a261620162616102", 279_017_145),
        (.array(["f", "ünïcode-🙂"]), "8261666ec3bc6ec3af636f64652df09f9982", 1_449_434_695), (.double(3.0), "03", 0),
        (.double(1e300), "fb7e37e43c8800759c", 2_973_154_037), (.double(-2.5e-8), "fbbe5ad7f29abcaf48", 3_765_582_437),
    ])
    func bucketingValuesAreHashedAsCanonicalCBOR(value: JSONValue, hex: String, hash: UInt32) {
        let bytes = CanonicalCBOR.encode(value)
        #expect(bytes.map { String(format: "%02x", $0) }.joined() == hex)
        if hash != 0 { #expect(MurmurHash3.hash32(bytes) == hash) }
    }

    @Test func bucketFormula() {
        // (hash * weight) >> 32 for [headline, testuser-1] (hash 606146305): 14 of 100, 0 of 3.
        #expect(Interpreter.bucket(flagKey: "headline", targetingKey: "testuser-1", totalWeight: 100) == 14)
        #expect(Interpreter.bucket(flagKey: "headline", targetingKey: "testuser-1", totalWeight: 3) == 0)
        #expect(Interpreter.bucket(flagKey: "headline", targetingKey: "testuser-2", totalWeight: 100) == 83)
    }

    @Test func firstVariantWhoseCumulativeWeightExceedsBucket() {
        let data: JSONValue = ["targetingKey": "testuser-1", "$flagd": ["flagKey": "headline"]]
        // [headline, testuser-1] is bucket 14 of 100, so [a 14] misses and [b 1] catches.
        #expect(Interpreter.fractional([["a", 14], ["b", 1], ["c", 85]], data: data) == "b")
        #expect(Interpreter.fractional([["a", 15], ["b", 85]], data: data) == "a")
        // An explicit bucketing value of any type, and weights defaulting to 1: 1e300 is bucket 2 of 3.
        #expect(Interpreter.fractional([.double(1e300), ["x"], ["y"], ["z"]], data: data) == "z")
        #expect(Interpreter.fractional([.null, ["x"], ["y"]], data: data) == .null)
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
