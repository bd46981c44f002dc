import AlmanacConfig
import AlmanacMetrics
import AlmanacReporting
import Testing

@testable import AlmanacTrends

@Suite struct TrendTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_795_392_000_000  // 2026-11-23T00:00Z

    /// 30 days of 5-minute samples: `start + perDay·days`, with a deterministic wobble.
    static func series(start: Double, perDay: Double, wobble: Double = 0) -> [Sample] {
        var seed: UInt64 = 42
        return stride(from: now - 30 * day, through: now, by: 300_000).map { t in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = (Double(seed >> 11) / Double(1 << 53) - 0.5) * wobble
            return Sample(timestamp: t, value: start + perDay * Double(t - (now - 30 * day)) / Double(day) + noise)
        }
    }

    @Test func growthPerDayWeekAndMonthFollowTheTrend() throws {
        let subject = TrendSubject(service: "images", name: "images_bytes", labels: [])
        let trend = try #require(Trend.fit(subject, samples: Self.series(start: 100e9, perDay: 2e9, wobble: 1e8), now: Self.now))
        #expect(abs(trend.perDay - 2e9) < 0.02 * 2e9)
        #expect(abs(trend.perWeek - 14e9) < 0.02 * 14e9)
        #expect(abs(trend.perMonth - 60e9) < 0.02 * 60e9)
        #expect(trend.crossing == nil)
        #expect(abs(trend.current - 160e9) < 1e9)
    }

    @Test func crossingOfALevelAboveAndBelow() throws {
        // 160e9 now, 2e9 a day: 250e9 is 45 days ahead.
        let rising = TrendSubject(service: "images", name: "disk_used_bytes", labels: [], threshold: 250e9, direction: .above)
        let up = try #require(Trend.fit(rising, samples: Self.series(start: 100e9, perDay: 2e9, wobble: 1e8), now: Self.now))
        let likely = try #require(up.crossing?.likely)
        #expect(abs(Double(likely - Self.now) / Double(Self.day) - 45) < 1)
        #expect(up.crossing!.earliest <= likely)
        // Free space: 500e9 falling 10e9 a day is at 200e9 now, so below 50e9 in 15 days.
        let falling = TrendSubject(service: "database", name: "node_filesystem_avail_bytes", labels: [], threshold: 50e9, direction: .below)
        let down = try #require(Trend.fit(falling, samples: Self.series(start: 500e9, perDay: -10e9, wobble: 1e8), now: Self.now))
        #expect(abs(Double(down.crossing!.likely! - Self.now) / Double(Self.day) - 15) < 1)
        #expect(down.perDay < 0)
    }

    @Test func rankedBySoonestCrossingThenRelativeGrowth() throws {
        let soon = try #require(
            Trend.fit(
                TrendSubject(service: "db", name: "free", labels: [], threshold: 50e9, direction: .below),
                samples: Self.series(start: 500e9, perDay: -10e9), now: Self.now))
        let later = try #require(
            Trend.fit(
                TrendSubject(service: "images", name: "used", labels: [], threshold: 250e9), samples: Self.series(start: 100e9, perDay: 2e9),
                now: Self.now))
        let fast = try #require(
            Trend.fit(
                TrendSubject(service: "web", name: "sessions", labels: []), samples: Self.series(start: 100, perDay: 10), now: Self.now))
        let slow = try #require(
            Trend.fit(
                TrendSubject(service: "web", name: "users", labels: []), samples: Self.series(start: 1000, perDay: 1), now: Self.now))
        let report = TrendReport(trends: [slow, fast, later, soon], generatedAt: Self.now)
        #expect(report.trends.map(\.subject.name) == ["free", "used", "sessions", "users"])
        let markdown = report.markdown()
        #expect(markdown.contains("| Service | Series | Now | Per day | Per week | Per month | Model | Level | Likely crossing | Range |"))
        #expect(markdown.contains("| db | free | 200G | -10G | -70G | -300G | seasonal | < 50G | 2026-12-08 (in 15 days) |"), "\(markdown)")
        #expect(report.html().contains("<table id=\"trends\">"))
        #expect(report.html().components(separatedBy: "<svg").count == 5)
    }

    @Test func flatSeriesHasNoCrossing() throws {
        let subject = TrendSubject(service: "db", name: "free", labels: [], threshold: 50e9, direction: .below)
        let trend = try #require(Trend.fit(subject, samples: Self.series(start: 200e9, perDay: 0, wobble: 5e9), now: Self.now))
        #expect(trend.crossing == nil)
        // 30 days of history: the forecast looks three times that far, 90 days, and says so.
        #expect(TrendReport(trends: [trend], generatedAt: Self.now).table.rows[0][8] == "not within 90 days")
    }

    @Test func tooLittleDataGivesNoTrend() {
        let samples = (0..<3).map { Sample(timestamp: Self.now - Int64($0) * 60_000, value: 1) }.reversed()
        #expect(Trend.fit(TrendSubject(service: "x", name: "y", labels: []), samples: Array(samples), now: Self.now) == nil)
    }

    @Test func formats() {
        #expect(ReportFormat.number(1_234_567_890) == "1.23G")
        #expect(ReportFormat.number(-450_000) == "-450k")
        #expect(ReportFormat.number(0.25) == "0.25")
        #expect(ReportFormat.number(999.9) == "1000")
        #expect(ReportFormat.signed(3) == "+3")
        #expect(ReportFormat.date(0) == "1970-01-01")
        #expect(ReportFormat.date(Self.now) == "2026-11-23")
        #expect(ReportFormat.date(951_782_400_000) == "2000-02-29")
        #expect(DurationText.span(36 * 3_600_000) == "36 hours")
        #expect(DurationText.span(12 * Self.day) == "12 days")
    }

    @Test func tablesEscapeAndAlign() {
        let table = ReportTable(headers: ["a", "b"], rows: [["x|y", "<b>"], ["long cell", ""]])
        #expect(table.markdown() == "| a | b |\n|---|---|\n| x\\|y | <b> |\n| long cell |  |\n")
        #expect(table.text() == "a          b\nx|y        <b>\nlong cell\n")
        #expect(table.html(id: "t").contains("<td>&lt;b&gt;</td>"))
    }
}
