import AlmanacConfig
import Testing

@Suite struct JSONParserTests {
    @Test func keepsIntegersApartFromFloats() throws {
        let value = try JSONParser.parse(#"{"i": 3, "f": 3.0, "e": 1e2, "n": -0, "s": "a\u00e9\ud83d\ude00\n", "l": [true, null]}"#)
        #expect(value == ["i": 3, "f": 3.0, "e": 100.0, "n": 0, "s": "aé😀\n", "l": [true, nil]])
    }

    @Test func writesFloatsWithADecimalPoint() {
        #expect(JSONWriter.string(["b": 2.0, "a": 1, "c": 0.1]) == #"{"a":1,"b":2.0,"c":0.1}"#)
        #expect(JSONWriter.string(.string("q\"\\\u{01}")) == #""q\"\\\u0001""#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "nul", "{\"a\":1}x", "\"\\ud800\"", "{\"a\":1,\"a\":2}"])
    func rejects(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("{}[]\",:0123456789.eE+-truefalsnul \\u\n".utf8)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? JSONParser.parse(bytes)
        }
    }

    @Test func roundTrips() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, false], "b": ["c": ["d": "e"]]]
        #expect(try JSONParser.parse(JSONWriter.string(value)) == value)
    }
}
