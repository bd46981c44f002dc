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

    /// Changes inside the chart's time are drawn with their kind and label; others are left out.
    @Test func markersInTheChartsTime() throws {
        let history = (0..<10).map { TimeChart.Point(time: Int64($0) * 1000, value: Double($0)) }
        var chart = TimeChart(title: "t", history: history)
        chart.markers = [
            ChartMarker(time: 4500, kind: .rollout, label: "rollout of production to 3f2a <b>"),
            ChartMarker(time: 6000, kind: .flag, label: "flag banner: disable"), ChartMarker(time: 20_000, kind: .rollback, label: "later"),
        ]
        let svg = chart.svg()
        _ = try XMLDocument(xmlString: svg)
        #expect(svg.contains("<g class=\"marker rollout\" data-time=\"4500\"><title>rollout of production to 3f2a &lt;b></title>"))
        #expect(svg.contains("<g class=\"marker flag\" data-time=\"6000\">") && !svg.contains("marker rollback"))
        var lines = LineChart(title: "l", lines: [.init(name: "p99", color: "#000", points: [(x: -60, y: 1), (x: 0, y: 2)])], unit: "ms")
        lines.markers = [
            (x: -30, marker: ChartMarker(time: 0, kind: .rollback, label: "back")), (x: -90, marker: ChartMarker(time: 0, kind: .flag, label: "x")),
        ]
        #expect(lines.svg().components(separatedBy: "class=\"marker ").count == 2)
    }

    @Test func emptyChartSaysSo() {
        #expect(TimeChart(title: "nothing", history: []).svg().contains("no data"))
    }
}
