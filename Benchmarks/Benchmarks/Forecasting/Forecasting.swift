import AlmanacForecast
import AlmanacMetrics
import Benchmark
import Foundation

/// Forecasting 30 days of 5-minute samples (8,640 per series), next to the reference of a
/// least-squares line over the same samples (what predict_linear does) in the same run.
/// The goal is 10,000 series in under 10 s: 1 ms per series.
let benchmarks: @Sendable () -> Void = {
    let series: [[Sample]] = (0..<100).map { n in
        (0..<8_640).map { i in
            let t = Int64(i) * 300_000
            let value = 400 + Double(n) + 0.0004 * Double(t) / 1000 + 20 * sin(Double(i) / 288 * 2 * .pi) + Double((i * 7919 + n) % 13)
            return Sample(timestamp: t, value: value)
        }
    }
    let now = series[0].last!.timestamp
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(5))

    Benchmark("reference: least squares over one series") { benchmark in
        for s in series { blackHole(LinearRegression.fit(s, interceptTime: now)) }
    }
    Benchmark("forecast one series (per 100)") { benchmark in
        for s in series { blackHole(Forecaster.fit(s, now: now)) }
    }
}
