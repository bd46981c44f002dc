import AlmanacMetrics
import Foundation
import Testing

/// Golden cases: each exposition in Cases/ parses to exactly the samples and families written
/// beside it in canonical form (`name{sorted labels} value [@ms]`, `# family name type "help" unit u`).
@Suite struct ExpositionGoldenTests {
    static func canonical(_ e: Exposition) -> [String] {
        let samples = e.samples.map { s -> String in
            let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
            return "\(s.name)\(labels) \(format(s.value))" + (s.timestamp.map { " @\($0)" } ?? "")
        }
        return samples
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    @Test(arguments: [("text-format", "prom", ExpositionFormat.prometheusText), ("openmetrics", "om", .openMetrics)])
    func parses(name: String, ext: String, format: ExpositionFormat) throws {
        let input = try #require(Bundle.module.url(forResource: "Cases/\(name)", withExtension: ext))
        let expectedURL = try #require(Bundle.module.url(forResource: "Cases/\(name)", withExtension: "expected"))
        let exposition = try ExpositionParser.parse(String(contentsOf: input, encoding: .utf8), format: format)
        let expected = try String(contentsOf: expectedURL, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Self.canonical(exposition) == expected.filter { !$0.hasPrefix("# family") })
        for line in expected where line.hasPrefix("# family ") {
            let parts = line.dropFirst(9).split(separator: " ", maxSplits: 2).map(String.init)
            let family = try #require(exposition.families[parts[0]], "\(parts[0])")
            #expect(family.type?.rawValue == parts[1])
            if parts.count > 2 {
                let rest = parts[2]
                if rest.hasPrefix("\"") {
                    let help = rest.dropFirst().prefix { $0 != "\"" }
                    #expect(family.help == String(help))
                }
                if let unit = rest.range(of: " unit ") { #expect(family.unit == String(rest[unit.upperBound...])) }
            }
        }
    }

    @Test(arguments: [
        ("metric{a=\"1\"} x\n", ExpositionFormat.prometheusText, "line 1: invalid value 'x'"),
        ("metric{a=\"1\",a=\"2\"} 1\n", .prometheusText, "line 1: duplicate label 'a'"),
        ("ok 1\nmetric{a=1} 1\n", .prometheusText, "line 2: label value must be quoted"),
        ("metric 1 12.5\n", .prometheusText, "line 1: invalid timestamp '12.5' (milliseconds)"),
        ("# TYPE m counter\n# TYPE m gauge\n", .prometheusText, "line 2: second TYPE line for 'm'"),
        ("# TYPE m bogus\n", .prometheusText, "line 1: unknown type 'bogus'"),
        ("m 1\n", .openMetrics, "line 2: missing # EOF"),
        ("m 1\n# EOF\nm 2\n", .openMetrics, "line 3: data after # EOF"),
        ("m{a=\"\\q\"} 1\n# EOF\n", .openMetrics, "line 1: invalid escape '\\q'"),
        ("m{a=\"unterminated} 1\n", .prometheusText, "line 1: unterminated quoted string"),
        ("9metric 1\n", .prometheusText, "line 1: invalid metric name"),
        ("m 1 # {a=\"b\"} 1\n", .prometheusText, "line 1: unexpected text after the value"),
        ("m 1 1e300\n# EOF\n", .openMetrics, "line 1: invalid timestamp '1e300' (seconds)"),
    ])
    func rejects(text: String, format: ExpositionFormat, message: String) {
        #expect(throws: ExpositionError.self) { try ExpositionParser.parse(text, format: format) }
        do {
            _ = try ExpositionParser.parse(text, format: format)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func contentNegotiation() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4; charset=utf-8") == .prometheusText)
        #expect(ExpositionFormat(contentType: nil) == .prometheusText)
        #expect(ExpositionFormat.acceptHeader.hasPrefix("application/openmetrics-text;version=1.0.0"))
    }

    @Test func randomAndMutatedInputNeverCrash() throws {
        var random = SystemRandomNumberGenerator()
        let seed = Array(
            try String(contentsOf: #require(Bundle.module.url(forResource: "Cases/openmetrics", withExtension: "om")), encoding: .utf8).utf8)
        let alphabet = Array("{}\",=# \n\\_.0123456789eE+-InfNa".utf8)
        var parsed = 0
        for round in 0..<4000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<120, using: &random)).map { _ in
                    Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = seed
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[at] = alphabet.randomElement(using: &random)!
                }
            }
            for format in [ExpositionFormat.prometheusText, .openMetrics] {
                if (try? ExpositionParser.parse(bytes, format: format)) != nil { parsed += 1 }
            }
        }
        #expect(parsed > 0)
    }
}

/// A real node_exporter page (Debian's prometheus-node-exporter, captured on this machine).
@Suite struct NodeExporterTests {
    @Test func parsesEveryLineOfARealPage() throws {
        let url = try #require(Bundle.module.url(forResource: "Cases/node-exporter", withExtension: "prom"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let exposition = try ExpositionParser.parse(text, format: .prometheusText)
        let sampleLines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(exposition.samples.count == sampleLines.count)
        #expect(exposition.families["node_cpu_seconds_total"]?.type == .counter)
        #expect(exposition.families["node_filesystem_avail_bytes"]?.type == .gauge)
        #expect(exposition.samples.contains { $0.name == "node_cpu_seconds_total" && $0.labels.contains(Label("mode", "idle")) })
        let typed = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.count
        #expect(exposition.families.values.filter { $0.type != nil }.count == typed)
    }
}
