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

    /// CUPED's sums: each user's value after exposure and over the window before it; events
    /// before the window, and a pre-period event of a user exposed to two variants, left out.
    @Test(arguments: Backend.allCases)
    func cupedSumsPairEachUsersPeriods(backend: Backend) async throws {
        try await backend.withDatabase { database in
            let store = SQLExperimentStore(database: database)
            typealias X = SQLExperimentStore.Exposure
            try await store.record([
                X(flagKey: "hero", targetingKey: "a", variant: "control", at: 10_000),
                X(flagKey: "hero", targetingKey: "b", variant: "control", at: 10_000),
                X(flagKey: "hero", targetingKey: "c", variant: "scan", at: 10_000),
                X(flagKey: "hero", targetingKey: "d", variant: "scan", at: 10_000),
            ])
            func event(_ id: String, _ key: String, _ value: Double, at: Int64) -> SQLExperimentStore.Event {
                .init(id: id, flagKey: "hero", targetingKey: key, variant: "", event: "buy", value: value, at: at)
            }
            _ = try await store.record(
                [],
                events: [
                    event("a-pre", "a", 3, at: 5_000), event("a-old", "a", 50, at: 1_000), event("a-post", "a", 4, at: 12_000),
                    event("b-post", "b", 2, at: 12_000), event("c-pre", "c", 6, at: 8_000), event("c-post", "c", 7, at: 11_000),
                    event("c-pre2", "c", 1, at: 9_000),
                ])
            let means = try await store.adjusted(flagKey: "hero", event: "buy", kind: .mean, window: 7_000, until: 20_000)
            // control: a (pre 3, post 4), b (pre 0, post 2); scan: c (pre 7, post 7), d (nothing).
            #expect(
                means["control"]
                    == .adjusted(
                        post: Moments(n: 2, sum: 6, sumSquares: 20), pre: Moments(n: 2, sum: 3, sumSquares: 9), sumProducts: 12, theta: 0))
            #expect(
                means["scan"]
                    == .adjusted(
                        post: Moments(n: 2, sum: 7, sumSquares: 49), pre: Moments(n: 2, sum: 7, sumSquares: 49), sumProducts: 49, theta: 0))
            let converted = try await store.adjusted(flagKey: "hero", event: "buy", kind: .proportion, window: 7_000, until: 20_000)
            #expect(
                converted["control"]
                    == .adjusted(post: .proportion(n: 2, conversions: 2), pre: .proportion(n: 2, conversions: 1), sumProducts: 1, theta: 0))
        }
    }
}
