import AlmanacCatalog
import AlmanacMetrics
import AlmanacOnCall
import AlmanacRuntime
import AlmanacTrends
import Testing

/// The meeting agenda says when a watched series is too new to forecast, instead of listing a
/// crossing guessed from minutes of data (the example's first start once put its own scrape
/// duration "2 in 6 days" on the agenda) or saying nothing.
@Suite struct MeetingThinHistoryTests {
    static let now: Int64 = 1_795_392_000_000

    @Test func twoMinutesOfDataIsTooLittleHistory() throws {
        let minutes = stride(from: Self.now - 120_000, through: Self.now, by: 15_000).map { t in
            Sample(timestamp: t, value: 0.5 + Double(t - Self.now + 120_000) / 12_000_000)
        }
        let subject = TrendSubject(service: "almanac", name: "scrape_duration_seconds", labels: [], threshold: 2, direction: .above)
        let trend = try #require(Trend.fit(subject, samples: minutes, now: Self.now))
        let records = TrendReport(trends: [trend], generatedAt: Self.now).records
        #expect(records[0].observedMs == 120_000)
        let items = MeetingItems.items(trends: records, catalog: Catalog(entities: [:]), stale: [], incidents: [], now: Self.now)
        let crossings = items.filter { $0.section == .crossings }
        #expect(crossings.count == 1)
        #expect(crossings.first?.title == "almanac: scrape_duration_seconds has too little history for a forecast")
        #expect(crossings.first?.detail == "2 minutes of data, no forecast yet: one needs 6 hours")
    }
}
