import AlmanacConfig
import AlmanacFlags
import Testing

@Suite struct StaleFlagsTests {
    let flags = try! FlagLoader.load([
        .init(
            file: "f.yaml",
            text: """
                flags:
                  old-banner: {state: ENABLED, variants: {on: true, off: false}, defaultVariant: on, expires: 2026-01-10, owner: web}
                  quiet: {state: ENABLED, variants: {on: true, off: false}, defaultVariant: on}
                  one-sided: {state: ENABLED, variants: {a: a, b: b}, defaultVariant: a}
                  healthy: {state: ENABLED, variants: {a: a, b: b}, defaultVariant: a, expires: 2027-01-01}
                """)
    ]).get()

    @Test func findsExpiredUnusedAndOneSidedFlags() {
        let usage: [String: FlagUsage] = [
            "old-banner": FlagUsage(byVariant: ["on": 4], lastHour: 10),
            "one-sided": FlagUsage(byVariant: ["a": 900], lastHour: 10),
            "healthy": FlagUsage(byVariant: ["a": 5, "b": 6], lastHour: 10),
        ]
        let findings = StaleFlags.findings(flags: flags, usage: usage, today: DayStamp("2026-11-23")!, windowDays: 30)
        #expect(
            findings.map { "\($0.flagKey) \($0.kind.rawValue)" } == [
                "old-banner expired", "old-banner single-variant", "one-sided single-variant", "quiet unused",
            ])
        #expect(findings.first?.detail == "expired on 2026-01-10, 317 days ago")
        #expect(findings.first?.owner == "web")
    }

    @Test func comparesWithTheSourceCode() {
        let python = """
            if client.get_boolean_value("healthy", False):
                x = client.get_string_details('one-sided', "a")
            flag = features.getFeatureFlag("ghost-flag")
            print("quiet")  # a mention, not a flag call
            """
        let references = CodeReferences.scan(python, file: "app.py")
        #expect(references.map(\.key) == ["healthy", "one-sided", "ghost-flag"])
        #expect(references.last?.line == 3)
        let all: [String: FlagUsage] = ["old-banner": FlagUsage(byVariant: ["on": 1, "off": 1])]
        let findings = StaleFlags.findings(
            flags: flags, usage: all, today: DayStamp("2026-01-01")!, windowDays: 30,
            references: references, mentions: CodeReferences.literals(python))
        let kinds = findings.filter { $0.kind == .undefined || $0.kind == .unreferenced }.map { "\($0.flagKey) \($0.kind.rawValue)" }
        #expect(kinds == ["ghost-flag undefined", "old-banner unreferenced"])
    }

    @Test func dayStamps() {
        #expect(DayStamp("1970-01-01")?.day == 0)
        #expect(DayStamp("2000-03-01")?.description == "2000-03-01")
        #expect(DayStamp("2026-02-29") == nil)
        #expect(DayStamp("2024-02-29") != nil)
        #expect(DayStamp(unixSeconds: 86_400 * 365).description == "1971-01-01")
    }
}
