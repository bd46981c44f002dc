import Foundation

/// Horizontal bars, one per row, with its value written at the end: shares of a total (cost,
/// grams) read faster as lengths than as a column of figures.
public struct BarChart: Sendable {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        /// Shown instead of a bar when the value is unknown (a gap, not a zero).
        public var missing: Bool
        public init(label: String, value: Double, missing: Bool = false) {
            self.label = label
            self.value = value
            self.missing = missing
        }
    }

    public var title: String
    public var bars: [Bar]
    public var format: @Sendable (Double) -> String
    public var color: String
    public var width = 720.0

    public init(title: String, bars: [Bar], color: String = "#3a7bd5", format: @escaping @Sendable (Double) -> String) {
        self.title = title
        self.bars = bars
        self.color = color
        self.format = format
    }

    public func svg() -> String {
        let row = 22.0
        let top = 30.0
        let labelWidth = 190.0
        let valueWidth = 90.0
        let height = top + row * Double(max(bars.count, 1)) + 10
        let largest = bars.filter { !$0.missing }.map(\.value).max() ?? 0
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\""
        out +=
            " role=\"img\" aria-label=\"\(svgEscape(title))\"><title>\(svgEscape(title))</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"0\" y=\"18\" font-size=\"13\" font-family=\"sans-serif\">\(svgEscape(title))</text>"
        for (index, bar) in bars.enumerated() {
            let y = top + row * Double(index)
            out += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 14))\" font-size=\"11\" text-anchor=\"end\" font-family=\"sans-serif\">"
            out += "\(svgEscape(bar.label))</text>"
            if bar.missing {
                out +=
                    "<text class=\"gap\" x=\"\(f(labelWidth))\" y=\"\(f(y + 14))\" font-size=\"11\" fill=\"#888\""
                    + " font-family=\"sans-serif\">no data</text>"
                continue
            }
            let length = largest > 0 ? max(0, bar.value) / largest * (width - labelWidth - valueWidth) : 0
            out += "<rect class=\"bar\" data-label=\"\(svgEscape(bar.label))\" x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(length))\""
            out += " height=\"\(f(row - 6))\" fill=\"\(color)\"/>"
            out +=
                "<text x=\"\(f(labelWidth + length + 4))\" y=\"\(f(y + 14))\" font-size=\"11\" font-family=\"sans-serif\">"
                + "\(svgEscape(format(bar.value)))</text>"
        }
        return out + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

}
