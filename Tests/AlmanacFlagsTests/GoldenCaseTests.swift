import AlmanacConfig
import AlmanacFlags
import Foundation
import Testing

@Suite struct GoldenCaseTests {
    @Test func evaluationCases() throws {
        let url = try #require(Bundle.module.url(forResource: "Cases/evaluation", withExtension: "yaml"))
        let root = try ConfigDocument.parse(String(contentsOf: url, encoding: .utf8), file: "evaluation.yaml")
        let flagsText = JSONWriter.string(try #require(root["flags"]).json)
        let cases = try #require(root["cases"]?.elements)
        #expect(cases.count >= 15)
        for testCase in cases {
            let name = testCase["name"]?.string ?? "?"
            let environment = testCase["environment"]?.string
            let set = try FlagLoader.load([.init(file: "flags.json", text: flagsText)], environment: environment).get()
            let evaluator = FlagEvaluator(flags: set)
            let context = testCase["context"]?.json.objectValue ?? [:]
            let result = evaluator.evaluate(try #require(testCase["flag"]?.string), context: context, timestamp: 1_700_000_000)
            if let error = testCase["error"]?.string {
                #expect(result.errorCode?.rawValue == error, "\(name)")
                #expect(result.reason == .error, "\(name)")
                continue
            }
            let expected = testCase["value"]?.json ?? .null
            #expect(result.value ?? .null == expected, "\(name): value \(String(describing: result.value))")
            if case .double = expected { #expect(result.value.map { if case .double = $0 { true } else { false } } == true, "\(name): float") }
            #expect(result.variant == testCase["variant"]?.scalar.flatMap(\.stringValue), "\(name): variant")
            #expect(result.reason.rawValue == testCase["reason"]?.string, "\(name): reason")
            #expect(result.errorCode == nil, "\(name): \(result.errorMessage ?? "")")
        }
    }

    @Test func hugeNumbersInSubstrDoNotTrap() throws {
        let text =
            #"{"flags": {"f": {"state": "ENABLED", "variants": {"a": "a", "b": "b"}, "targeting": {"if": [{"==": [{"substr": ["abc", -1e300, -1e300]}, ""]}, "a", "b"]}}}}"#
        let set = try FlagLoader.load([.init(file: "f.json", text: text)]).get()
        #expect(FlagEvaluator(flags: set).evaluate("f", context: [:], timestamp: 0).variant == "a")
    }

    @Test func metadataMergesFlagSetAndFlag() throws {
        let text =
            #"{"metadata": {"team": "web", "v": 1}, "flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "a", "metadata": {"v": 2}}}}"#
        let set = try FlagLoader.load([.init(file: "f.json", text: text)]).get()
        let result = FlagEvaluator(flags: set).evaluate("f", context: [:], timestamp: 0)
        #expect(result.metadata == ["team": "web", "v": 2])
    }
}
