import AlmanacCharts
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Axis ticks people can read: round steps, enough digits that neighbours differ, the unit on
/// every label.
@Suite struct AxisTests {
    @Test func aFlatSeriesNearOneHasDistinctRoundTicks() {
        // Once `1.00, 1.00, 0.99, 0.99`: the band around `up` at 1.
        let axis = Axis(low: 0.985, high: 1.012, unit: .plain)
        #expect(
            axis.labels == ["0.980", "0.990", "1.000", "1.010", "1.020"]
                || axis.labels == ["0.985", "0.990", "0.995", "1.000", "1.005", "1.010", "1.015"])
        #expect(Set(axis.labels).count == axis.labels.count)
    }

    @Test func goldenAxes() {
        #expect(Axis(low: 0, high: 97, unit: .plain).labels == ["0", "20", "40", "60", "80", "100"])
        #expect(Axis(low: 1.2e12, high: 2.3e12, unit: .bytes).labels == ["1.2 TB", "1.4 TB", "1.6 TB", "1.8 TB", "2.0 TB", "2.2 TB", "2.4 TB"])
        #expect(Axis(low: 0.0021, high: 0.0094, unit: .seconds).labels == ["2 ms", "4 ms", "6 ms", "8 ms", "10 ms"])
        #expect(Axis(low: 0.9951, high: 0.9999, unit: .ratio).labels == ["99.5%", "99.6%", "99.7%", "99.8%", "99.9%", "100.0%"])
        #expect(Axis(low: -3.2, high: 4.1, unit: .plain).labels == ["-4", "-2", "0", "2", "4", "6"])
        // A single value still gets an axis around it.
        #expect(Axis(low: 5, high: 5, unit: .plain).labels.count >= 2)
    }

    @Test func unitsFromPrometheusNames() {
        #expect(ChartUnit.of(seriesName: "node_filesystem_avail_bytes") == .bytes)
        #expect(ChartUnit.of(seriesName: "process_cpu_seconds_total") == .seconds)
        #expect(ChartUnit.of(seriesName: "almanac_backup_size_change_ratio") == .ratio)
        #expect(ChartUnit.of(seriesName: "up") == .plain)
    }

    @Test func aTimeChartLabelsItsAxisWithTheUnitAndHasALegend() throws {
        let day: Int64 = 86_400_000
        var chart = TimeChart(
            title: "free", history: (0..<10).map { TimeChart.Point(time: Int64($0) * day, value: 2e12 - Double($0) * 6e10) },
            forecast: [.init(time: 10 * day, low: 1.3e12, likely: 1.4e12, high: 1.5e12)], threshold: 1e12)
        chart.unit = .bytes
        let svg = chart.svg()
        _ = try XMLDocument(xmlString: svg)
        let ticks = svg.components(separatedBy: "<text class=\"tick\"").dropFirst().map {
            $0.components(separatedBy: ">")[1].components(separatedBy: "<")[0]
        }
        #expect(ticks.allSatisfy { $0.hasSuffix(" TB") }, "\(ticks)")
        #expect(Set(ticks).count == ticks.count)
        for item in ["history", "forecast", "80% range", "level"] { #expect(svg.contains(">\(item)</text>"), "\(item)") }
        #expect(!svg.contains(">crossing (likely"), "no crossing drawn, none in the legend")
    }
}
