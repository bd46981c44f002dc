import AlmanacConfig
import AlmanacFlags
import Testing

/// The flags written in flagd's own format (what the sync protocol sends) answer as Almanac's
/// evaluator does: read back by the same engine as a plain flagd file, with no run-time state,
/// every context gets the same value, variant and reason, pins, scopes, slices, opt-outs,
/// ramps and kill switches included.
@Suite struct FlagdDocumentTests {
    static let flags = """
        metadata: {system: web}
        flags:
          new-product-page:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
            scopes:
              - {team: [qa, web], variant: on}
              - {user: [anna], variant: on}
              - {environment: [staging], variant: on}
              - {slice: 12.5, variant: on}
          edit-form:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
            scopes: [{attribute: pageId, prefix: "product.beta.", variant: on}]
          layout:
            state: ENABLED
            variants: {classic: classic, compact: compact, cards: cards}
            defaultVariant: classic
            metadata: {owner: web}
            targeting: {if: [{in: [{var: country}, [fr, be]]}, compact, null]}
            ramp: {variant: cards, steps: [5, 37.5, 100], every: 1d}
          banner:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
            ramp: {variant: on, steps: [50, 100], every: 1d}
          hero:
            state: ENABLED
            variants: {control: a, scan: b}
            defaultVariant: control
            targeting: {fractional: [[control, 50], [scan, 50]]}
            experiment: {control: control, metrics: [{name: scans}], opt_out: optOut}
          per-page:
            state: ENABLED
            variants: {small: 24, large: 96}
            defaultVariant: small
          read-only:
            state: ENABLED
            variants: {on: true, off: false}
            defaultVariant: off
        """

    static let runtime = RuntimeState(
        overrides: ["read-only": FlagOverride(state: .disabled), "per-page": FlagOverride(defaultVariant: "large")],
        pins: ["new-product-page": [.user("u7"): "off", .team("ops"): "on"], "per-page": [.user("u3"): "small", .team("gone"): "huge"]],
        ramps: [
            "layout": RampPosition(step: 1, percent: 37.5, status: .running, since: 0),
            "banner": RampPosition(step: 1, percent: 100, status: .complete, since: 0),
        ])

    @Test func theDocumentAnswersAsTheEvaluator() throws {
        let flags = try FlagLoader.load([.init(file: "flags/web.yaml", text: Self.flags)]).get()
        let almanac = FlagEvaluator(flags: flags, runtime: Self.runtime)
        let text = JSONWriter.string(FlagdDocument.json(almanac))
        let flagd = FlagEvaluator(flags: try FlagLoader.load([.init(file: "sync.json", text: text)]).get())
        var random = SplitMix64(seed: 30)
        let teams: [JSONValue] = [.string("qa"), .string("ops"), .string("data"), .array([.string("data"), .string("ops")]), .null]
        var compared = 0
        for n in 0..<4000 {
            var context: [String: JSONValue] = [:]
            if n % 17 != 0 { context["targetingKey"] = .string("u\(random.next() % 500)") }
            if case let team = teams[Int(random.next() % 5)], team != .null { context["team"] = team }
            context["country"] = .string(["fr", "de", "be", "us"][Int(random.next() % 4)])
            context["pageId"] = .string(random.next() % 2 == 0 ? "product.beta.\(n)" : "product.\(n)")
            if random.next() % 5 == 0 { context["optOut"] = .bool(true) }
            for key in flags.flags.keys.sorted() {
                let a = almanac.evaluate(key, context: context, timestamp: 1_800_000_000)
                let b = flagd.evaluate(key, context: context, timestamp: 1_800_000_000)
                #expect(a.value == b.value && a.variant == b.variant && a.reason == b.reason, "\(key) \(context): \(a) against \(b)")
                compared += 1
            }
        }
        #expect(compared == 28_000)
        // The ramp and the slice really split: both variants are served.
        let layouts = Set((0..<200).map { almanac.evaluate("layout", context: ["targetingKey": .string("k\($0)")], timestamp: 0).variant })
        #expect(layouts == ["classic", "cards"])
    }
}
