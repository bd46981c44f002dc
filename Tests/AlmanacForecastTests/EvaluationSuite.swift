import AlmanacForecast
import AlmanacMetrics
import Foundation

/// The forecast evaluation suite: five families of 30-day series with known truth, generated
/// from fixed seeds, scored for Almanac and for `predict_linear` over 1 h, 6 h and 1 d.
enum EvaluationSuite {
    static let day: Int64 = 86_400_000
    static let step: Int64 = 300_000
    static let span: Int64 = 30 * day
    static let horizon: Int64 = 365 * day

    struct Series {
        var samples: [Sample]
        var threshold: Double
        /// Days from the end of the data to the true first crossing; nil when it never crosses.
        var truth: Double?
    }

    enum Family: String, CaseIterable {
        case steady = "steady growth"
        case seasonal = "growth with daily and weekly seasonality"
        case cleanups = "growth with periodic cleanups"
        case logRotation = "bursty log rotation on a flat disk"
        case flat = "flat with noise"
    }

    /// SplitMix64 with Box–Muller normals: the same series on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }
        mutating func normal() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    /// A deterministic process: its value at a time (ms from the start), without noise.
    static func firstCrossing(after start: Int64, threshold: Double, _ truth: (Int64) -> Double) -> Double? {
        var t = start
        while t <= start + horizon {
            if truth(t) >= threshold { return Double(t - start) / Double(day) }
            t += step
        }
        return nil
    }

    static func make(_ family: Family, seed: UInt64) -> Series {
        var r = Random(state: seed &* 7919 &+ UInt64(Family.allCases.firstIndex(of: family)!) &* 104_729)
        let capacity = 1_000.0
        let truth: (Int64) -> Double
        var noise = 2.0
        switch family {
        case .steady:
            let days = r.uniform(8, 60)
            let start = r.uniform(200, 500)
            let rate = (capacity - start) / (30 + days) / Double(day)
            truth = { start + rate * Double($0) }
        case .seasonal:
            let days = r.uniform(10, 60)
            let start = r.uniform(200, 450)
            let rate = (capacity - 60 - start) / (30 + days) / Double(day)
            let daily = r.uniform(15, 30)
            let weekly = r.uniform(10, 25)
            let phase = r.uniform(0, 2 * .pi)
            truth = { t in
                start + rate * Double(t) + daily * sin(2 * .pi * Double(t) / Double(day) + phase)
                    + weekly * sin(2 * .pi * Double(t) / Double(7 * day))
            }
        case .cleanups:
            let period = Int64(r.uniform(5, 9) * Double(day))
            let start = r.uniform(150, 300)
            let rate = r.uniform(25, 45) / Double(day)
            let freed = 0.55 * rate * Double(period)
            truth = { t in start + rate * Double(t) - freed * Double(t / period) }
        case .logRotation:
            let base = r.uniform(300, 500)
            let growth = r.uniform(150, 250) / Double(day)
            truth = { t in base + growth * Double(t % day) }
            noise = 4
        case .flat:
            let level = r.uniform(300, 600)
            truth = { _ in level }
            noise = r.uniform(5, 25)
        }
        var samples: [Sample] = []
        samples.reserveCapacity(Int(span / step))
        var t: Int64 = 0
        while t < span {
            var value = truth(t) + noise * r.normal()
            if family == .logRotation && r.uniform() < 0.004 { value += r.uniform(50, 150) }  // bursts of debug logging
            samples.append(Sample(timestamp: t, value: value))
            t += step
        }
        let threshold = family == .flat || family == .logRotation ? capacity * 0.9 : capacity
        return Series(samples: samples, threshold: threshold, truth: firstCrossing(after: span - step, threshold: threshold, truth))
    }

    /// Days to the crossing predicted by each method; nil for "not within a year".
    static func predictions(_ series: Series) -> [String: Double?] {
        let now = series.samples.last!.timestamp
        var out: [String: Double?] = [:]
        let forecast = Forecaster.fit(series.samples, now: now)
        out["almanac"] = forecast?.crossing(of: series.threshold, within: horizon)?.likely.map { Double($0 - now) / Double(day) }
        for (name, window) in [("predict_linear 1h", Int64(3_600_000)), ("predict_linear 6h", 6 * 3_600_000), ("predict_linear 1d", day)] {
            let samples = series.samples.window(endingAt: now, range: window)
            guard let line = LinearRegression.fit(samples, interceptTime: now), line.slope > 0 else {
                out[name] = .some(nil)
                continue
            }
            let seconds = (series.threshold - line.intercept) / line.slope
            out[name] = seconds <= Double(horizon) / 1000 ? max(0, seconds / 86_400) : nil
        }
        return out
    }

    struct Score {
        var medianError: Double?
        var falseAlerts: Int
        var series: Int
    }

    /// Median absolute error in days (a missed crossing counts as predicted at the horizon) and
    /// false "full within 7 days" alerts, per family and method.
    static func run(seriesPerFamily: Int = 20) -> [Family: [String: Score]] {
        var results: [Family: [String: Score]] = [:]
        for family in Family.allCases {
            var errors: [String: [Double]] = [:]
            var falseAlerts: [String: Int] = [:]
            for seed in 0..<seriesPerFamily {
                let series = make(family, seed: UInt64(seed + 1))
                for (method, predicted) in predictions(series) {
                    if let predicted, predicted <= 7, (series.truth ?? .infinity) > 7 { falseAlerts[method, default: 0] += 1 }
                    if let truth = series.truth { errors[method, default: []].append(abs((predicted ?? 365) - truth)) }
                }
            }
            for method in ["almanac", "predict_linear 1h", "predict_linear 6h", "predict_linear 1d"] {
                let e = errors[method] ?? []
                results[family, default: [:]][method] = Score(
                    medianError: e.isEmpty ? nil : e.sorted()[e.count / 2], falseAlerts: falseAlerts[method] ?? 0, series: seriesPerFamily)
            }
        }
        return results
    }

    static func report(_ results: [Family: [String: Score]]) -> String {
        var lines = ["| family | method | median abs. error (days) | false 'full within 7 days' |", "|---|---|---|---|"]
        for family in Family.allCases {
            for method in ["almanac", "predict_linear 1h", "predict_linear 6h", "predict_linear 1d"] {
                let s = results[family]![method]!
                let error = s.medianError.map { String(format: "%.1f", $0) } ?? "n/a (never crosses)"
                lines.append("| \(family.rawValue) | \(method) | \(error) | \(s.falseAlerts) of \(s.series) |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
