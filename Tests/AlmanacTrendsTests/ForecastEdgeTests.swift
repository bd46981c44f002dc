import AlmanacMetrics
import Testing

@testable import AlmanacTrends

/// Forecasts honest at the edges: a level is crossed only by passing it, as a rule fires only
/// past it; no crossing from under six hours of data; none further ahead than three times the
/// history it rests on. The cases the first start of the example showed, and their twins.
@Suite struct ForecastEdgeTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_795_392_000_000

    /// `span` ms of samples every `step` ms up to now, `value(t)` with t in days before now (negative).
    static func samples(span: Int64, step: Int64, _ value: (Double) -> Double) -> [Sample] {
        stride(from: now - span, through: now, by: Int(step)).map { Sample(timestamp: $0, value: value(Double($0 - now) / Double(day))) }
    }

    static func crossingText(_ trend: Trend) -> String { TrendReport(trends: [trend], generatedAt: now).table.rows[0][8] }

    @Test func aValueAtTheLevelHasNotCrossedIt() throws {
        // `up` flat at 1 under `below: {critical: 1}`: the rule fires below 1, so nothing is projected.
        let up = Self.samples(span: 2 * Self.day, step: 300_000) { _ in 1 }
        let below = TrendSubject(service: "almanac", name: "up", labels: [], threshold: 1, direction: .below)
        let trend = try #require(Trend.fit(below, samples: up, now: Self.now))
        #expect(trend.crossing == nil)
        #expect(Self.crossingText(trend) == "not within 6 days")
        let above = TrendSubject(service: "almanac", name: "up", labels: [], threshold: 1, direction: .above)
        #expect(try #require(Trend.fit(above, samples: up, now: Self.now)).crossing == nil)
        // Just under the level, it has crossed: the same series a hair lower is projected at once.
        let under = Self.samples(span: 2 * Self.day, step: 300_000) { _ in 0.999 }
        #expect(try #require(Trend.fit(below, samples: under, now: Self.now)).crossing?.likely == Self.now)
    }

    @Test func aFlatSeriesNeverCrosses() throws {
        let flat = Self.samples(span: 30 * Self.day, step: 300_000) { _ in 42 }
        for direction in [TrendSubject.Direction.above, .below] {
            let subject = TrendSubject(service: "db", name: "flat", labels: [], threshold: direction == .above ? 43 : 41, direction: direction)
            #expect(try #require(Trend.fit(subject, samples: flat, now: Self.now)).crossing == nil)
        }
    }

    @Test func minutesOfDataProjectNothingAndSaySo() throws {
        // The example's own scrape duration after two minutes, rising fast toward its level of 2.
        let minutes = Self.samples(span: 120_000, step: 15_000) { days in 0.5 + (days * 1440 + 2) * 0.01 }
        let subject = TrendSubject(service: "almanac", name: "scrape_duration_seconds", labels: [], threshold: 2, direction: .above)
        let trend = try #require(Trend.fit(subject, samples: minutes, now: Self.now))
        #expect(trend.crossing == nil)
        #expect(trend.lookedAhead == 0)
        #expect(Self.crossingText(trend) == "2 minutes of data, no forecast yet")
    }

    @Test func noCrossingBeyondThreeTimesTheHistory() throws {
        // 3 days of steady growth toward a level 40 days ahead: further than 3 × 3 days, so refused.
        let subject = TrendSubject(service: "images", name: "disk_used_bytes", labels: [], threshold: 500, direction: .above)
        let short = try #require(Trend.fit(subject, samples: Self.samples(span: 3 * Self.day, step: 300_000) { 100 + 10 * $0 }, now: Self.now))
        #expect(short.crossing == nil)
        #expect(short.lookedAhead == 9 * Self.day)
        #expect(Self.crossingText(short) == "not within 9 days")
        // The same growth seen for 15 days reaches 45 days ahead, and the crossing at 40 is projected.
        let long = try #require(Trend.fit(subject, samples: Self.samples(span: 15 * Self.day, step: 300_000) { 100 + 10 * $0 }, now: Self.now))
        let likely = try #require(long.crossing?.likely)
        #expect(abs(Double(likely - Self.now) / Double(Self.day) - 40) < 1)
    }
}
