import AlmanacExperiments
import AlmanacStorage
import Testing

/// Exposures and events on both backends: first exposures kept, repeated event ids counted once,
/// users seen in two variants and excluded users left out, events before an exposure not counted.
@Suite struct ExperimentStoreTests {
    @Test(arguments: Backend.allCases)
    func sumsPerVariantOverTheUsersInTheAnalysis(backend: Backend) async throws {
        try await backend.withDatabase { database in
            let store = SQLExperimentStore(database: database)
            typealias X = SQLExperimentStore.Exposure
            try await store.record([
                X(flagKey: "hero", targetingKey: "a", variant: "control", at: 1000),
                X(flagKey: "hero", targetingKey: "b", variant: "control", at: 1000),
                X(flagKey: "hero", targetingKey: "c", variant: "scan", at: 2000),
                X(flagKey: "hero", targetingKey: "d", variant: "scan", at: 2000),
                X(flagKey: "hero", targetingKey: "e", variant: "scan", at: 2000),
                X(flagKey: "hero", targetingKey: "f", variant: "control", at: 1000, excluded: "pinned"),
                X(flagKey: "hero", targetingKey: "g", variant: "control", at: 1000),
                X(flagKey: "hero", targetingKey: "g", variant: "scan", at: 3000),
                X(flagKey: "other", targetingKey: "a", variant: "on", at: 1000),
            ])
            // The first exposure stays: a later one of the same key and variant changes nothing.
            try await store.record([X(flagKey: "hero", targetingKey: "a", variant: "control", at: 9000)])
            func event(_ id: String, _ key: String, _ value: Double, at: Int64 = 5000) -> SQLExperimentStore.Event {
                .init(id: id, flagKey: "hero", targetingKey: key, variant: "x", event: "buy", value: value, at: at)
            }
            #expect(try await store.record([], events: [event("1", "a", 10), event("2", "a", 5), event("3", "c", 4), event("4", "g", 100)]) == 4)
            // A batch sent again counts once; an event before its user's exposure does not count.
            #expect(try await store.record([], events: [event("1", "a", 10), event("5", "d", 7, at: 1500)]) == 1)
            let population = try await store.population(flagKey: "hero", until: 10_000)
            #expect(population.users == ["control": 2, "scan": 3])
            #expect(population.excluded == ["pinned": 1, "several variants": 1])
            #expect(population.firstAt == 1000)
            let means = try await store.moments(flagKey: "hero", event: "buy", kind: .mean, until: 10_000)
            #expect(means["control"] == Moments(n: 2, sum: 15, sumSquares: 225))
            #expect(means["scan"] == Moments(n: 3, sum: 4, sumSquares: 16))
            let converted = try await store.moments(flagKey: "hero", event: "buy", kind: .proportion, until: 10_000)
            #expect(converted["control"] == .proportion(n: 2, conversions: 1) && converted["scan"] == .proportion(n: 3, conversions: 1))
            // Up to a moment: who was exposed by then (g was only in control) and what they had done (nothing yet).
            #expect(
                try await store.moments(flagKey: "hero", event: "buy", kind: .mean, until: 1500)["control"] == Moments(n: 3, sum: 0, sumSquares: 0))
        }
    }
}
