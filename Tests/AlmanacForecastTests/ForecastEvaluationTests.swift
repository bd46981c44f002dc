import AlmanacForecast
import AlmanacMetrics
import Testing

@Suite struct ForecastEvaluationTests {
    @Test func evaluationSuite() {
        let results = EvaluationSuite.run()
        print("\n" + EvaluationSuite.report(results) + "\n")
        let all = results.values.compactMap { $0["almanac"] }
        let coverage = Double(all.map(\.covered).reduce(0, +)) / Double(all.map(\.crossings).reduce(0, +))
        #expect((0.75...0.85).contains(coverage), "over all families the 80% interval held \(coverage)")
        // The goal: at most half the error of the best predict_linear window, and no false alert.
        for family in EvaluationSuite.Family.allCases {
            let scores = results[family]!
            let almanac = scores["almanac"]!
            #expect(almanac.falseAlerts == 0, "\(family.rawValue): \(almanac.falseAlerts) false alerts")
            if let coverage = almanac.coverage {
                #expect((0.7...0.9).contains(coverage), "\(family.rawValue): the 80% interval held \(almanac.covered) of \(almanac.crossings)")
            }
            guard let error = almanac.medianError else { continue }
            let best = scores.filter { $0.key != "almanac" }.compactMap(\.value.medianError).min()!
            #expect(error <= best / 2, "\(family.rawValue): \(error) days against predict_linear's best \(best)")
        }
    }

    @Test func levelShiftRefitsOnlyTheCurrentRegime() throws {
        // 10 days rising 10/day, a cleanup drops 80, then 5 days rising 10/day.
        var samples: [Sample] = []
        for hour in 0..<(15 * 24) {
            let t = Int64(hour) * 3_600_000
            let days = Double(hour) / 24
            samples.append(Sample(timestamp: t, value: 100 + 10 * days - (hour >= 240 ? 80 : 0)))
        }
        let forecast = try #require(Forecaster.fit(samples, now: samples.last!.timestamp))
        #expect(forecast.regime == .afterShift)
        #expect(abs(forecast.slope * 86_400 - 10) < 0.01)
        #expect(abs(forecast.level - (100 + 10 * (359.0 / 24) - 80)) < 0.5)
    }
}
