import Foundation

/// Several named lines over a shared x axis (seconds of a run, or runs in order), on a linear
/// or logarithmic y axis: latency percentiles span four orders of magnitude in one run.
public struct LineChart: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, color: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.points = points
        }
    }

    public var title: String
    public var lines: [Line]
    public var unit: String
    public var logarithmic: Bool
    /// Text for an x value (`12 s`, a revision); nil shows the number.
    public var xLabel: @Sendable (Double) -> String
    /// Labelled x positions; nil spreads five ticks over the range.
    public var xTicks: [Double]?
    /// Changes at x positions in the chart's own units (minutes before now, say).
    public var markers: [(x: Double, marker: ChartMarker)] = []
    public var width = 720.0
    public var height = 280.0

    public init(
        title: String, lines: [Line], unit: String, logarithmic: Bool = false, xTicks: [Double]? = nil,
        xLabel: @escaping @Sendable (Double) -> String = { String(Int($0)) }
    ) {
        self.title = title
        self.lines = lines
        self.unit = unit
        self.logarithmic = logarithmic
        self.xTicks = xTicks
        self.xLabel = xLabel
    }

    private let margin = (left: 64.0, right: 110.0, top: 28.0, bottom: 32.0)

    public func svg() -> String {
        let points = lines.flatMap(\.points).filter { $0.y.isFinite && (!logarithmic || $0.y > 0) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\""
        out +=
            " role=\"img\" aria-label=\"\(svgEscape(title))\"><title>\(svgEscape(title))</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"\(f(margin.left))\" y=\"18\" font-size=\"13\" font-family=\"sans-serif\">\(svgEscape(title))</text>"
        guard let xMin = points.map(\.x).min(), let xMax = points.map(\.x).max(), let yMinRaw = points.map(\.y).min(),
            let yMaxRaw = points.map(\.y).max()
        else { return out + "<text x=\"50%\" y=\"50%\" text-anchor=\"middle\" font-family=\"sans-serif\">no data</text></svg>" }
        let scale: (Double) -> Double = logarithmic ? { log10($0) } : { $0 }
        var (low, high) = (scale(yMinRaw), scale(yMaxRaw))
        if logarithmic {
            (low, high) = (low.rounded(.down), max(high.rounded(.up), low.rounded(.down) + 1))
        } else {
            (low, high) = (min(0, low), high + max((high - low) * 0.08, 1e-9))
        }
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        func x(_ v: Double) -> Double { margin.left + (xMax > xMin ? (v - xMin) / (xMax - xMin) : 0.5) * plotWidth }
        func y(_ v: Double) -> Double { height - margin.bottom - (scale(v) - low) / (high - low) * plotHeight }
        let ticks: [Double] =
            logarithmic ? stride(from: low, through: high, by: 1).map { pow(10, $0) } : (0...4).map { low + (high - low) * Double($0) / 4 }
        for v in ticks {
            out += "<line x1=\"\(f(margin.left))\" x2=\"\(f(width - margin.right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(y(v) + 4))\" font-size=\"10\" text-anchor=\"end\" font-family=\"sans-serif\">"
            out += "\(short(v)) \(svgEscape(unit))</text>"
        }
        for v in xTicks ?? (0...4).map({ xMin + (xMax - xMin) * Double($0) / 4 }) {
            out += "<text x=\"\(f(x(v)))\" y=\"\(f(height - 10))\" font-size=\"10\" text-anchor=\"middle\" font-family=\"sans-serif\">"
            out += "\(svgEscape(xLabel(v)))</text>"
        }
        out += ChartMarker.svg(
            markers.filter { $0.x >= xMin && $0.x <= xMax }.map { (x($0.x), $0.marker) }, top: margin.top, bottom: height - margin.bottom)
        for (index, line) in lines.enumerated() {
            let drawn = line.points.filter { $0.y.isFinite && (!logarithmic || $0.y > 0) }
            let coordinates = drawn.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(separator: " ")
            out += "<polyline class=\"line\" data-name=\"\(svgEscape(line.name))\" points=\"\(coordinates)\" fill=\"none\" stroke=\"\(line.color)\""
            out += " stroke-width=\"1.5\"/>"
            if drawn.count == 1 { out += "<circle cx=\"\(f(x(drawn[0].x)))\" cy=\"\(f(y(drawn[0].y)))\" r=\"3\" fill=\"\(line.color)\"/>" }
            let legendY = margin.top + 14 * Double(index)
            out += "<rect x=\"\(f(width - margin.right + 10))\" y=\"\(f(legendY))\" width=\"10\" height=\"10\" fill=\"\(line.color)\"/>"
            out += "<text x=\"\(f(width - margin.right + 24))\" y=\"\(f(legendY + 9))\" font-size=\"11\" font-family=\"sans-serif\">"
            out += "\(svgEscape(line.name))</text>"
        }
        return out + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func short(_ v: Double) -> String {
        if v >= 1000 { return String(format: "%.0f", v) }
        if v >= 10 || v == 0 { return String(format: "%.0f", v) }
        return v >= 1 ? String(format: "%.1f", v) : String(format: "%g", (v * 1000).rounded() / 1000)
    }

}
