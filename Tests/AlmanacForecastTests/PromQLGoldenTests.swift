import AlmanacForecast
import AlmanacMetrics
import Foundation
import Testing

/// Runs Prometheus's golden cases for `deriv` and `predict_linear` (Cases/promql.test) and
/// checks each result to 1e-9, NaN matching NaN.
@Suite struct PromQLGoldenTests {
    struct Case {
        var line: Int
        var function: String
        var series: String
        var at: Int64
        var range: Int64
        var anchor: Int64?
        var argument: Double?
        var expected: Double
    }

    static func seconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let n = Int64(text.dropLast(suffix.count)) { return n * scale }
        }
        return Int64(text).map { $0 * 1000 }
    }

    /// `0+10x4` expands to 0 10 20 30 40; `-Inf`, `Inf`, `NaN` and plain numbers stand alone.
    static func expand(_ token: Substring) -> [Double] {
        if let plus = token.firstIndex(of: "+"), plus != token.startIndex, let x = token.firstIndex(of: "x"),
            let start = Double(token[..<plus]), let step = Double(token[token.index(after: plus)..<x]),
            let count = Int(token[token.index(after: x)...])
        {
            return (0...count).map { start + Double($0) * step }
        }
        switch token {
        case "Inf", "+Inf": return [.infinity]
        case "-Inf": return [-.infinity]
        case "NaN": return [.nan]
        default: return [Double(token)!]
        }
    }

    static func load() throws -> (series: [String: [Sample]], cases: [Case]) {
        let url = try #require(Bundle.module.url(forResource: "Cases/promql", withExtension: "test"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var series: [String: [Sample]] = [:]
        var cases: [Case] = []
        var interval: Int64 = 0
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            if line.hasPrefix("load ") {
                interval = seconds(String(line.dropFirst(5)))!
                while index < lines.count, lines[index].hasPrefix("\t") || lines[index].hasPrefix("  ") {
                    let fields = lines[index].split(whereSeparator: { $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                        !$0.isEmpty
                    }
                    let name = String(fields[0].prefix { $0 != "{" })
                    let values = fields[1].split(separator: " ").flatMap(expand)
                    series[name] = values.enumerated().map { Sample(timestamp: Int64($0.offset) * interval, value: $0.element) }
                    index += 1
                }
            } else if line.hasPrefix("eval instant at ") {
                let rest = line.dropFirst("eval instant at ".count)
                let at = seconds(String(rest.prefix { $0 != " " }))!
                let expression = rest.drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
                let function = String(expression.prefix { $0 != "(" })
                let inside = expression.dropFirst(function.count + 1).dropLast()
                let name = String(inside.prefix { $0 != "[" && $0 != "{" })
                let range = seconds(String(inside.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }))!
                let afterRange = inside.drop { $0 != "]" }.dropFirst()
                var anchor: Int64?
                if let atSign = afterRange.firstIndex(of: "@") {
                    anchor = Int64(afterRange[afterRange.index(after: atSign)...].prefix { $0 != "," }.trimmingCharacters(in: .whitespaces))! * 1000
                }
                var argument: Double?
                if let comma = afterRange.firstIndex(of: ",") {
                    let text = afterRange[afterRange.index(after: comma)...].trimmingCharacters(in: .whitespaces)
                    argument = Double(text) ?? Double(seconds(text)!) / 1000
                }
                let expectedText = lines[index].split(separator: " ").last!
                index += 1
                cases.append(
                    Case(
                        line: index - 1, function: function, series: name, at: at, range: range, anchor: anchor, argument: argument,
                        expected: expand(expectedText)[0]))
            }
        }
        return (series, cases)
    }

    @Test func reproducesPrometheus() throws {
        let (series, cases) = try Self.load()
        #expect(cases.count == 11)
        for c in cases {
            let samples = try #require(series[c.series]).window(endingAt: c.anchor ?? c.at, range: c.range)
            let result: Double?
            switch c.function {
            case "deriv": result = LinearRegression.deriv(samples)
            case "predict_linear": result = LinearRegression.predictLinear(samples, evaluationTime: c.at, seconds: c.argument!)
            default:
                Issue.record("unknown function \(c.function)")
                continue
            }
            let value = try #require(result, "line \(c.line)")
            if c.expected.isNaN {
                #expect(value.isNaN, "line \(c.line): \(value)")
            } else {
                #expect(abs(value - c.expected) <= 1e-9, "line \(c.line): \(c.function) gave \(value), Prometheus \(c.expected)")
            }
        }
    }

    @Test func derivIsExactOnPrometheusWorkedExample() {
        let values: [Double] = [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 50]
        let samples = values.enumerated().map { Sample(timestamp: Int64($0.offset) * 300_000, value: $0.element) }
        #expect(LinearRegression.deriv(samples) == 0.010606060606060607)
        #expect(LinearRegression.deriv(Array(samples.prefix(1))) == nil)
    }
}
