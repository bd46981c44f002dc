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

    let bytes: [UInt8]
    let format: ExpositionFormat
    var index = 0
    var line = 1

    /// Parses a whole exposition; the first error ends it (a scrape is all or nothing).
    public static func parse(_ bytes: [UInt8], format: ExpositionFormat) throws(ExpositionError) -> Exposition {
        guard bytes.count <= maximumBytes else {
            throw ExpositionError(line: 0, message: "exposition is \(bytes.count) bytes, more than \(maximumBytes)")
        }
        var parser = ExpositionParser(bytes: bytes, format: format)
        return try parser.run()
    }

    public static func parse(_ text: String, format: ExpositionFormat) throws(ExpositionError) -> Exposition {
        try parse(Array(text.utf8), format: format)
    }

    private mutating func run() throws(ExpositionError) -> Exposition {
        var result = Exposition()
        var sawEOF = false
        var typed: Set<String> = []
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            var end = index
            if end > start, bytes[end - 1] == 0x0D, format == .prometheusText { end -= 1 }
            let lineBytes = bytes[start..<end]
            defer {
                index += 1
                line += 1
            }
            if sawEOF { throw failure("data after # EOF") }
            if lineBytes.isEmpty {
                if format == .openMetrics { throw failure("empty line") }
                continue
            }
            if lineBytes.first == UInt8(ascii: "#") {
                if try comment(lineBytes, into: &result, typed: &typed) { sawEOF = true }
                continue
            }
            var scanner = LineScanner(bytes: lineBytes, line: line, format: format)
            result.samples.append(try scanner.sample())
            if result.samples.count > Self.maximumSamples { throw failure("more than \(Self.maximumSamples) samples") }
        }
        if format == .openMetrics && !sawEOF { throw failure("missing # EOF") }
        return result
    }

    /// Handles `# HELP`, `# TYPE`, `# UNIT` and `# EOF`; returns true at EOF.
    private func comment(_ text: ArraySlice<UInt8>, into result: inout Exposition, typed: inout Set<String>) throws(ExpositionError) -> Bool {
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
            result.families[name, default: MetricFamily()].help = unescape(rest, quotes: format == .openMetrics)
        case "TYPE":
            guard let kind = MetricFamily.Kind(rawValue: rest) else { throw failure("unknown type '\(rest)'") }
            if format == .prometheusText, ![.counter, .gauge, .histogram, .summary, .untyped].contains(kind) {
                throw failure("type '\(rest)' is not part of the text format")
            }
            guard typed.insert(name).inserted else { throw failure("second TYPE line for '\(name)'") }
            result.families[name, default: MetricFamily()].type = kind
        default:
            guard format == .openMetrics else { return false }
            result.families[name, default: MetricFamily()].unit = rest
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
