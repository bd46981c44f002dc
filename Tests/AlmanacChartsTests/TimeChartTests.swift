import AlmanacCharts
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct TimeChartTests {
    @Test func drawsHistoryBandThresholdAndCrossing() throws {
        let day: Int64 = 86_400_000
        let history = (0..<10).map { TimeChart.Point(time: Int64($0) * day, value: 100 + Double($0) * 10) }
        let forecast = (10..<20).map { (i: Int) -> TimeChart.BandPoint in
            let k = Double(i - 10)
            return TimeChart.BandPoint(time: Int64(i) * day, low: 190 + k * 8, likely: 190 + k * 10, high: 190 + k * 12)
        }
        let chart = TimeChart(title: "disk <used>", history: history, forecast: forecast, threshold: 250, crossing: (15 * day, 16 * day, 18 * day))
        let svg = chart.svg()
        // Well-formed XML with every layer present.
        _ = try XMLDocument(xmlString: svg)
        for layer in ["class=\"history\"", "class=\"band\"", "class=\"forecast\"", "class=\"threshold\"", "class=\"crossing\""] {
            #expect(svg.contains(layer), "\(layer)")
        }
        #expect(svg.contains("disk &lt;used&gt;") || svg.contains("disk &lt;used>"))
        #expect(svg.contains("<polyline class=\"history\" points=\"64.0,"), "history starts at the left margin")
    }

    @Test func emptyChartSaysSo() {
        #expect(TimeChart(title: "nothing", history: []).svg().contains("no data"))
    }
}
