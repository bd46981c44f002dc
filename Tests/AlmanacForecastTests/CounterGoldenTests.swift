import AlmanacMetrics
import Foundation
import Testing

/// Runs Prometheus's golden cases for `rate`, `increase` and `delta` (Cases/counters.test)
/// through the one counter routine, each matched to 1e-9; a case Prometheus answers with
/// nothing must give nil.
@Suite struct CounterGoldenTests {
    struct Outcome {
        var line: Int
        var expression: String
        var series: String
        var expected: Double?
        var result: Double?
    }

    /// Every eval's answer for every series of its metric, evaluated against the series loaded
    /// at that point of the file.
    static func run() throws -> [Outcome] {
        let url = try #require(Bundle.module.url(forResource: "Cases/counters", withExtension: "test"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var series: [String: [Sample]] = [:]
        var outcomes: [Outcome] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            if line == "clear" { series = [:] }
            if line.hasPrefix("load ") {
                let interval = PromQLGoldenTests.seconds(String(line.dropFirst(5)))!
                while index < lines.count, lines[index].hasPrefix("\t") {
                    let fields = lines[index].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let values = fields[1].split(separator: " ").flatMap(PromQLGoldenTests.expand)
                    series[fields[0]] = values.enumerated().map { Sample(timestamp: Int64($0.offset) * interval, value: $0.element) }
                    index += 1
                }
            } else if line.hasPrefix("eval instant at ") {
                let rest = line.dropFirst("eval instant at ".count)
                let at = PromQLGoldenTests.seconds(String(rest.prefix { $0 != " " }))!
                let expression = rest.drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
                let function = String(expression.prefix { $0 != "(" })
                let inside = expression.dropFirst(function.count + 1).dropLast()
                let name = String(inside.prefix { $0 != "[" })
                let range = PromQLGoldenTests.seconds(String(inside.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }))!
                let offset = inside.range(of: " offset ").map { PromQLGoldenTests.seconds(String(inside[$0.upperBound...]))! } ?? 0
                var expected: [String: Double] = [:]
                while index < lines.count, lines[index].hasPrefix("\t") {
                    let fields = lines[index].trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
                    expected[String(fields[0])] = PromQLGoldenTests.expand(fields[fields.count - 1])[0]
                    index += 1
                }
                for (key, samples) in series where key == name || key.hasPrefix(name + "{") {
                    let labels = key == name ? "{}" : String(key.dropFirst(name.count))
                    let end = at - offset
                    let result: Double?
                    switch function {
                    case "rate": result = CounterMath.rate(samples, range: range, end: end)
                    case "increase": result = CounterMath.increase(samples, range: range, end: end)
                    case "delta": result = CounterMath.delta(samples, range: range, end: end)
                    default: throw CaseError(line: index, message: "unknown function \(function)")
                    }
                    outcomes.append(Outcome(line: index, expression: expression, series: labels, expected: expected[labels], result: result))
                }
            }
        }
        return outcomes
    }

    struct CaseError: Error {
        var line: Int
        var message: String
    }

    @Test func reproducesPrometheus() throws {
        let outcomes = try Self.run()
        #expect(outcomes.count == 29)
        #expect(outcomes.filter { $0.expected == nil }.count == 1, "one case where Prometheus answers nothing")
        for o in outcomes {
            if let expected = o.expected {
                let value = try #require(o.result, "line \(o.line): \(o.expression) \(o.series) gave nothing, Prometheus \(expected)")
                #expect(abs(value - expected) <= 1e-9, "line \(o.line): \(o.expression) \(o.series) gave \(value), Prometheus \(expected)")
            } else {
                #expect(o.result == nil, "line \(o.line): \(o.expression) \(o.series) gave \(o.result ?? 0), Prometheus nothing")
            }
        }
    }

    /// The reset rule alone: a fall means the counter started again from zero.
    @Test func aResetCountsFromZero() {
        let samples = [0.0, 5, 9, 2, 6].enumerated().map { Sample(timestamp: Int64($0.offset) * 1000, value: $0.element) }
        #expect(CounterMath.growth(samples) == 9 + 2 + 4)
        #expect(CounterMath.rise(from: 9, to: 2) == 2)
    }
}
