import AlmanacConfig
import AlmanacFlags
import Testing

/// Bad flag files: each mistake is reported with file, line and field, and nothing loads.
@Suite struct LoaderErrorTests {
    func errors(_ text: String, file: String = "flags/web.yaml") -> [String] {
        switch FlagLoader.load([.init(file: file, text: text)]) {
        case .success: return []
        case .failure(let e): return e.errors.map(\.description)
        }
    }

    @Test func unknownDefaultVariant() {
        let text = """
            flags:
              banner:
                state: ENABLED
                variants: {on: true, off: false}
                defaultVariant: onn
            """
        #expect(errors(text) == ["flags/web.yaml:5: flags.banner.defaultVariant: unknown variant 'onn' (variants: off, on)"])
    }

    @Test func wrongTypes() {
        let text = """
            flags:
              a:
                state: MAYBE
                variants: {x: 1}
              b:
                state: ENABLED
                variants: {x: 1, y: "two"}
            """
        #expect(
            errors(text) == [
                "flags/web.yaml:3: flags.a.state: must be ENABLED or DISABLED",
                "flags/web.yaml:7: flags.b.variants.y: variant is string but earlier variants are integer; all variants of a flag share one type",
            ])
    }

    @Test func brokenJsonLogicNamesItsLine() {
        let text = """
            {"flags": {"f": {
              "state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "a",
              "targeting": {"if": [
                {"equals": [1, 1]}, "a", null]}
            }}}
            """
        #expect(errors(text, file: "f.json") == ["f.json:4: flags.f.targeting.if[0]: unknown operator 'equals'"])
    }

    @Test func duplicateKeysInOneFileAndAcrossFiles() {
        let one = #"{"flags": {"f": {"state": "ENABLED", "variants": {"a": 1}}, "f": {"state": "ENABLED", "variants": {"a": 1}}}}"#
        #expect(errors(one, file: "one.json").first?.contains("duplicate key") == true)
        let flag = "flags:\n  f:\n    state: ENABLED\n    variants: {a: 1}\n"
        let result = FlagLoader.load([.init(file: "a.yaml", text: flag), .init(file: "b.yaml", text: flag)])
        guard case .failure(let e) = result else {
            Issue.record("loaded duplicate flag")
            return
        }
        #expect(e.errors.map(\.description) == ["b.yaml:2: flags.f: flag 'f' is already defined at a.yaml:2"])
    }

    @Test func refCycleIsAnError() {
        let text = """
            $evaluators:
              a: {$ref: b}
              b: {$ref: a}
            flags:
              f:
                state: ENABLED
                variants: {x: 1}
                targeting: {$ref: a}
            """
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.contains { $0.contains("$ref cycle") })
    }

    /// What flagd loads and answers at evaluation: the set loads, each case is a warning with
    /// its file, line and field.
    @Test func questionableTargetingLoadsWithWarnings() throws {
        let text = """
            flags:
              g:
                state: ENABLED
                variants: {x: 1}
                targeting: {$ref: nowhere}
              v:
                state: ENABLED
                variants: {x: 1}
                targeting: {if: [{sem_ver: [{var: version}, "1.0"]}, x, null]}
              c:
                state: ENABLED
                variants: {x: 1}
                targeting: {if: [{sem_ver: [{var: version}, "===", "1.0"]}, x, null]}
              s:
                state: ENABLED
                variants: {x: 1}
                targeting: {if: [{ends_with: [{var: email}]}, x, null]}
            """
        let set = try FlagLoader.load([.init(file: "f.yaml", text: text)]).get()
        #expect(set.flags.count == 4)
        #expect(
            set.warnings.map(\.description) == [
                "f.yaml:5: flags.g.targeting.$ref: unknown evaluator 'nowhere' in $ref (the flag answers PARSE_ERROR)",
                "f.yaml:9: flags.v.targeting.if[0]: sem_ver takes 3 arguments, got 2 (it evaluates to null)",
                "f.yaml:13: flags.c.targeting.if[0]: sem_ver has no comparison '===' (it evaluates to null)",
                "f.yaml:17: flags.s.targeting.if[0]: ends_with takes 2 arguments, got 1 (it evaluates to null)",
            ])
        #expect(set.flags["g"]?.targetingProblem == "Invalid targeting: unknown evaluator 'nowhere' in $ref")
    }

    @Test func hugeFileIsRefused() {
        let text = String(repeating: "#", count: ConfigDocument.maximumBytes + 1)
        #expect(errors(text).first?.contains("more than the limit") == true)
    }

    @Test func syntaxErrorHasALine() {
        #expect(errors("flags:\n  f: {state: ENABLED,\n", file: "x.yaml").first?.hasPrefix("x.yaml:") == true)
    }

    @Test func billionLaughsIsBounded() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 {
            text += "a\(i): &a\(i) [*a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1)]\n"
        }
        text += "flags: {}\n"
        #expect(errors(text).first?.contains("more than") == true)
    }
}
