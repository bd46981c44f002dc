import Foundation

/// An SVG chart of one series over time: its history, a forecast band with the likely line,
/// a threshold line and the predicted crossing. Drawn by the server, so pages need no script.
public struct TimeChart: Sendable {
    public struct Point: Sendable {
        public var time: Int64
        public var value: Double
        public init(time: Int64, value: Double) {
            self.time = time
            self.value = value
        }
    }

    public struct BandPoint: Sendable {
        public var time: Int64
        public var low: Double
        public var likely: Double
        public var high: Double
        public init(time: Int64, low: Double, likely: Double, high: Double) {
            self.time = time
            self.low = low
            self.likely = likely
            self.high = high
        }
    }

    public var title: String
    public var history: [Point]
    public var forecast: [BandPoint]
    public var threshold: Double?
    /// Earliest, likely and latest crossing times (ms), when predicted.
    public var crossing: (earliest: Int64, likely: Int64?, latest: Int64?)?
    /// Where growth changed pace: a marked line, so the regime the forecast follows is seen.
    public var change: Int64?
    /// Rollouts, rollbacks and flag changes in the chart's time.
    public var markers: [ChartMarker] = []
    /// What the values measure, for the axis labels.
    public var unit: ChartUnit = .plain
    /// What the band's middle line and its range are called in the key (a forecast by default;
    /// an interval or a plan elsewhere); no range name leaves the range out of the key.
    public var bandLabels: (line: String, range: String?) = ("forecast", "80% range")
    public var width = 720.0
    public var height = 276.0

    public init(
        title: String, history: [Point], forecast: [BandPoint] = [], threshold: Double? = nil,
        crossing: (earliest: Int64, likely: Int64?, latest: Int64?)? = nil
    ) {
        self.title = title
        self.history = history
        self.forecast = forecast
        self.threshold = threshold
        self.crossing = crossing
    }

    private let margin = (left: 64.0, right: 16.0, top: 28.0, bottom: 48.0)

    /// The SVG document.
    public func svg() -> String {
        let values =
            history.map(\.value).filter(\.isFinite) + forecast.flatMap { [$0.low, $0.high] }.filter(\.isFinite) + (threshold.map { [$0] } ?? [])
        let times = history.map(\.time) + forecast.map(\.time)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" role=\"img\" aria-label=\"\(svgEscape(title))\">"
        out += "<title>\(svgEscape(title))</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"\(fmt(margin.left))\" y=\"18\" font-size=\"13\" font-family=\"sans-serif\">\(svgEscape(title))</text>"
        guard let tMin = times.min(), let tMax = times.max(), let vMinRaw = values.min(), let vMaxRaw = values.max() else {
            return out + "<text x=\"50%\" y=\"50%\" text-anchor=\"middle\" font-family=\"sans-serif\">no data</text></svg>"
        }
        let pad = (vMaxRaw - vMinRaw) * 0.04
        let axis = Axis(low: vMinRaw - pad, high: vMaxRaw + pad, unit: unit)
        let (vMin, vMax) = (axis.low, axis.high)
        let span = Double(max(tMax - tMin, 1))
        func x(_ t: Int64) -> Double { margin.left + Double(t - tMin) / span * (width - margin.left - margin.right) }
        func y(_ v: Double) -> Double { height - margin.bottom - (v - vMin) / (vMax - vMin) * (height - margin.top - margin.bottom) }
        // Axes and value labels.
        for (v, label) in zip(axis.ticks, axis.labels) {
            out += "<line x1=\"\(fmt(margin.left))\" x2=\"\(fmt(width - margin.right))\" y1=\"\(fmt(y(v)))\" y2=\"\(fmt(y(v)))\" stroke=\"#eee\"/>"
            out += "<text class=\"tick\" x=\"\(fmt(margin.left - 6))\" y=\"\(fmt(y(v) + 4))\" font-size=\"10\" text-anchor=\"end\" "
            out += "font-family=\"sans-serif\">\(svgEscape(label))</text>"
        }
        for i in 0...3 {
            let t = tMin + Int64(Double(i) / 3 * span)
            out +=
                "<text x=\"\(fmt(x(t)))\" y=\"\(fmt(height - 28))\" font-size=\"10\" text-anchor=\"middle\" font-family=\"sans-serif\">\(day(t))</text>"
        }
        out += legend()
        if !forecast.isEmpty {
            let upper = forecast.map { "\(fmt(x($0.time))),\(fmt(y($0.high)))" }
            let lower = forecast.reversed().map { "\(fmt(x($0.time))),\(fmt(y($0.low)))" }
            out += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"#cfe3f7\" opacity=\"0.8\"/>"
            out +=
                "<polyline class=\"forecast\" points=\"\(forecast.map { "\(fmt(x($0.time))),\(fmt(y($0.likely)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#3a7bd5\" stroke-dasharray=\"5 4\"/>"
        }
        let drawn = history.filter { $0.value.isFinite }
        if !drawn.isEmpty {
            out +=
                "<polyline class=\"history\" points=\"\(drawn.map { "\(fmt(x($0.time))),\(fmt(y($0.value)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#23313f\" stroke-width=\"1.5\"/>"
        }
        if let threshold {
            out +=
                "<line class=\"threshold\" x1=\"\(fmt(margin.left))\" x2=\"\(fmt(width - margin.right))\" y1=\"\(fmt(y(threshold)))\" y2=\"\(fmt(y(threshold)))\" stroke=\"#c0392b\" stroke-dasharray=\"2 3\"/>"
        }
        out += ChartMarker.svg(
            markers.filter { $0.time >= tMin && $0.time <= tMax }.map { (x($0.time), $0) }, top: margin.top, bottom: height - margin.bottom)
        if let change, change >= tMin, change <= tMax {
            let (at, top, bottom) = (fmt(x(change)), fmt(margin.top), fmt(height - margin.bottom))
            out += "<line class=\"change\" x1=\"\(at)\" x2=\"\(at)\" y1=\"\(top)\" y2=\"\(bottom)\" stroke=\"#8e44ad\" stroke-dasharray=\"4 3\">"
            out += "<title>growth changed \(day(change))</title></line>"
            out += "<text class=\"change\" x=\"\(fmt(x(change) + 4))\" y=\"\(fmt(margin.top + 10))\" font-size=\"10\" fill=\"#8e44ad\" "
            out += "font-family=\"sans-serif\">growth changed</text>"
        }
        if let crossing, let threshold {
            let likely = crossing.likely ?? crossing.earliest
            out +=
                "<line class=\"crossing\" x1=\"\(fmt(x(crossing.earliest)))\" x2=\"\(fmt(x(crossing.latest ?? tMax)))\" y1=\"\(fmt(y(threshold)))\" y2=\"\(fmt(y(threshold)))\" stroke=\"#c0392b\" stroke-width=\"5\" opacity=\"0.35\"/>"
            out +=
                "<circle class=\"crossing\" cx=\"\(fmt(x(likely)))\" cy=\"\(fmt(y(threshold)))\" r=\"4\" fill=\"#c0392b\"><title>crossing \(day(likely))</title></circle>"
        }
        return out + "</svg>"
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A key to what is drawn, along the bottom: only the things this chart shows.
    private func legend() -> String {
        var items: [(swatch: String, text: String)] = [
            ("<line x1=\"0\" x2=\"14\" y1=\"5\" y2=\"5\" stroke=\"#23313f\" stroke-width=\"1.5\"/>", "history")
        ]
        if !forecast.isEmpty {
            items.append(("<line x1=\"0\" x2=\"14\" y1=\"5\" y2=\"5\" stroke=\"#3a7bd5\" stroke-dasharray=\"5 4\"/>", bandLabels.line))
            if let range = bandLabels.range { items.append(("<rect width=\"14\" height=\"10\" fill=\"#cfe3f7\"/>", range)) }
        }
        if threshold != nil { items.append(("<line x1=\"0\" x2=\"14\" y1=\"5\" y2=\"5\" stroke=\"#c0392b\" stroke-dasharray=\"2 3\"/>", "level")) }
        if crossing != nil { items.append(("<circle cx=\"7\" cy=\"5\" r=\"4\" fill=\"#c0392b\"/>", "crossing (likely, with its range)")) }
        if change != nil {
            items.append(("<line x1=\"7\" x2=\"7\" y1=\"0\" y2=\"10\" stroke=\"#8e44ad\" stroke-dasharray=\"4 3\"/>", "growth changed"))
        }
        if !markers.isEmpty { items.append(("<line x1=\"7\" x2=\"7\" y1=\"0\" y2=\"10\" stroke=\"#888\"/>", "changes (rollouts, flags)")) }
        var out = "<g class=\"legend\" font-size=\"10\" font-family=\"sans-serif\">"
        var at = margin.left
        for item in items {
            out +=
                "<g transform=\"translate(\(fmt(at)),\(fmt(height - 14)))\">\(item.swatch)<text x=\"18\" y=\"9\">\(svgEscape(item.text))</text></g>"
            at += 26 + Double(item.text.count) * 5.6
        }
        return out + "</g>"
    }

    private func day(_ t: Int64) -> String {
        let formatter = DateFormatter()
        let span = (history.map(\.time) + forecast.map(\.time)).max().map { $0 - ((history.first?.time) ?? $0) } ?? 0
        formatter.dateFormat = span < 2 * 86_400_000 ? "HH:mm" : "MMM d"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(t) / 1000))
    }

}
