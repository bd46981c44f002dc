import AlmanacConfig
import Testing

@testable import AlmanacMetrics

@Suite struct RollupTests {
    @Test func bucketsHoldMinMaxMeanLastAndSkipStaleMarkers() {
        let samples = [
            Sample(timestamp: 0, value: 3), Sample(timestamp: 100, value: 1), Sample(timestamp: 299, value: .nan),
            Sample(timestamp: 300, value: 7), Sample(timestamp: 900, value: .nan), Sample(timestamp: -1, value: 5),
        ]
        let buckets = Rollup.buckets(samples.filter { $0.timestamp >= 0 }, step: 300)
        #expect(
            buckets == [
                RollupBucket(start: 0, minimum: 1, maximum: 3, sum: 4, count: 2, last: 1),
                RollupBucket(start: 300, minimum: 7, maximum: 7, sum: 7, count: 1, last: 7),
            ])
        #expect(buckets[0].mean == 2)
        #expect(
            Rollup.buckets([Sample(timestamp: -1, value: 5)], step: 300) == [
                RollupBucket(start: -300, minimum: 5, maximum: 5, sum: 5, count: 1, last: 5)
            ])
    }

    @Test func retentionFromFileWithDefaultsAndLocatedErrors() throws {
        #expect(try RetentionPolicy.parse(try ConfigDocument.parse("{}", file: "s.yaml")) == .standard)
        let policy = try RetentionPolicy.parse(try ConfigDocument.parse("retention:\n  raw: 30d\n  rollups: {1h: 3650d, 5m: 90d}\n", file: "s.yaml"))
        #expect(policy.raw == 30 * 86_400_000)
        #expect(policy.rollups.map(\.step) == [300_000, 3_600_000])
        #expect(policy.rollups.map(\.keep) == [90 * 86_400_000, 3650 * 86_400_000])
        let cases = [
            (
                "retention:\n  raw: 15d\n  rollups: {7m: 1y}\n",
                "s.yaml:3: retention.rollups.7m: step '7m' must be a duration of at least 1m that divides a day"
            ),
            (
                "retention:\n  raw: 15d\n  rollups: {5m: 1d}\n",
                "s.yaml:3: retention.rollups.5m: a rollup must be kept at least as long as raw samples (15d)"
            ),
            ("retention:\n  raw: soon\n", "s.yaml:2: retention.raw: must be a duration such as 15s, 1m or 2h"),
            ("retention:\n  keep: 1d\n", "s.yaml:2: retention.keep: unknown field (expected raw or rollups)"),
        ]
        for (text, message) in cases {
            #expect(throws: ConfigError.self) { try RetentionPolicy.parse(try ConfigDocument.parse(text, file: "s.yaml")) }
            do {
                _ = try RetentionPolicy.parse(try ConfigDocument.parse(text, file: "s.yaml"))
            } catch {
                #expect(error.description == message)
            }
        }
    }
}
