/// Parses the Prometheus text format 0.0.4 and OpenMetrics 1.0: escapes, quoted UTF-8 names,
/// NaN and ±Inf, millisecond (text) and second (OpenMetrics) timestamps, exemplars (dropped),
/// histograms and summaries as their plain sample series, and OpenMetrics' `# EOF`.
///
/// Written by hand on bytes: no listed package parses either format, and scraping many
/// targets makes its speed matter.
public struct ExpositionParser {
    /// Largest exposition accepted, and most samples; a runaway target cannot exhaust memory.
    public static let maximumBytes = 32 * 1024 * 1024
    public static let maximumSamples = 2_000_000

    let format: ExpositionFormat
    /// The line `consume` reads next, from 1.
    public private(set) var line = 1
    private var sawEOF = false
    private var typed: Set<String> = []
    /// HELP, TYPE and UNIT of the families seen so far.
    public private(set) var families: [String: MetricFamily] = [:]

    /// A parser fed one line at a time: what streams a file of any size in constant memory.
    public init(format: ExpositionFormat) {
        self.format = format
    }

    /// Parses a whole exposition; the first error ends it (a scrape is all or nothing).
    public static func parse(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> Exposition {
        guard bytes.count <= maximumBytes else {
            throw ExpositionError(line: 0, message: "exposition is \(bytes.count) bytes, more than \(maximumBytes)")
        }
        var parser = ExpositionParser(format: format)
        var samples: [ScrapedSample] = []
        var index = 0
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            if let sample = try parser.consume(bytes[start..<index]) {
                samples.append(sample)
                if samples.count > Self.maximumSamples {
                    throw ExpositionError(line: parser.line - 1, message: "more than \(Self.maximumSamples) samples")
                }
            }
            index += 1
        }
        try parser.finish()
        return Exposition(samples: samples, families: parser.families)
    }

    public static func parse(_ text: String, format: ExpositionFormat) throws(ExpositionError) -> Exposition {
        try parse(Array(text.utf8), format: format)
    }

    /// Reads one line (without its newline): the sample it holds, or nil for a comment or a
    /// blank line.
    public mutating func consume(_ text: ArraySlice<UInt8>) throws(ExpositionError) -> ScrapedSample? {
        defer { line += 1 }
        var lineBytes = text
        if format == .prometheusText, lineBytes.last == 0x0D { lineBytes = lineBytes.dropLast() }
        if sawEOF { throw failure("data after # EOF") }
        if lineBytes.isEmpty {
            if format == .openMetrics { throw failure("empty line") }
            return nil
        }
        if lineBytes.first == UInt8(ascii: "#") {
            if try comment(lineBytes) { sawEOF = true }
            return nil
        }
        var scanner = LineScanner(bytes: lineBytes, line: line, format: format)
        return try scanner.sample()
    }

    /// The end of the input: OpenMetrics must have said `# EOF`.
    public func finish() throws(ExpositionError) {
        if format == .openMetrics && !sawEOF { throw ExpositionError(line: line, message: "missing # EOF") }
    }

    /// Handles `# HELP`, `# TYPE`, `# UNIT` and `# EOF`; returns true at EOF.
    private mutating func comment(_ text: ArraySlice<UInt8>) throws(ExpositionError) -> Bool {
        let content = String(decoding: text, as: UTF8.self)
        if content == "# EOF" {
            if format == .openMetrics { return true }
            return false
        }
        let parts = content.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "#", ["HELP", "TYPE", "UNIT"].contains(parts[1]) else {
            if format == .openMetrics { throw failure("unknown comment line") }
            return false
        }
        let name = try metadataName(String(parts[2]))
        let rest = parts.count > 3 ? String(parts[3]) : ""
        switch parts[1] {
        case "HELP":
            families[name, default: MetricFamily()].help = unescape(rest, quotes: format == .openMetrics)
        case "TYPE":
            guard let kind = MetricFamily.Kind(rawValue: rest) else { throw failure("unknown type '\(rest)'") }
            if format == .prometheusText, ![.counter, .gauge, .histogram, .summary, .untyped].contains(kind) {
                throw failure("type '\(rest)' is not part of the text format")
            }
            guard typed.insert(name).inserted else { throw failure("second TYPE line for '\(name)'") }
            families[name, default: MetricFamily()].type = kind
        default:
            guard format == .openMetrics else { return false }
            families[name, default: MetricFamily()].unit = rest
        }
        return false
    }

    private func metadataName(_ text: String) throws(ExpositionError) -> String {
        if text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 {
            return unescape(String(text.dropFirst().dropLast()), quotes: true)
        }
        guard LineScanner.isValidName(Array(text.utf8)) else { throw failure("invalid metric name '\(text)'") }
        return text
    }

    private func unescape(_ text: String, quotes: Bool) -> String {
        guard text.contains("\\") else { return text }
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "\\": out.append("\\")
                case "\"" where quotes: out.append("\"")
                default:
                    out.append("\\")
                    out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    private func failure(_ message: String) -> ExpositionError {
        ExpositionError(line: line, message: message)
    }
}
