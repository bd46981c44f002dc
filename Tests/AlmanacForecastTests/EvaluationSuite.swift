import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import Foundation

/// The forecast evaluation suite: nine families of 30-day series with known truth, generated
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
        /// Free space: the level is crossed from above, and the series is forecast mirrored, as
        /// the trends page and the rules do for `below` levels.
        var below = false
    }

    enum Family: String, CaseIterable {
        case steady = "steady growth"
        case seasonal = "growth with daily and weekly seasonality"
        case cleanups = "growth with periodic cleanups"
        case logRotation = "bursty log rotation on a flat disk"
        case flat = "flat with noise"
        case paceChange = "growth that changes pace"
        case compounding = "compounding growth"
        case oneCleanup = "free space: one cleanup, then the same decline"
        case compoundingCapacity = "free space of a disk whose use compounds 2-4% a day"

        /// Families whose shape `predict_linear` cannot follow: Almanac must halve its error there.
        var shaped: Bool { self == .seasonal || self == .cleanups || self == .logRotation }
    }

    /// SplitMix64 with Box–Muller normals: the same series on every machine.
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }
        mutating func normal() -> Double {
            (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform())
        }
        /// Student's t with 3 degrees of freedom, scaled to unit variance: heavy tails.
        mutating func heavy() -> Double {
            let chi = (0..<3).reduce(0.0) { sum, _ in
                let z = normal()
                return sum + z * z
            }
            return normal() / (chi / 3).squareRoot() / 3.0.squareRoot()
        }
    }

    /// A deterministic process: its value at a time (ms from the start), without noise.
    static func firstCrossing(after start: Int64, threshold: Double, below: Bool = false, _ truth: (Int64) -> Double) -> Double? {
        var t = start
        while t <= start + horizon {
            if below ? truth(t) < threshold : truth(t) > threshold { return Double(t - start) / Double(day) }
            t += step
        }
        return nil
    }

    static func make(_ family: Family, seed: UInt64) -> Series {
        var r = Random(state: seed &* 7919 &+ UInt64(Family.allCases.firstIndex(of: family)!) &* 104_729)
        let capacity = 1_000.0
        let truth: (Int64) -> Double
        var noise = 2.0
        /// Noise as a share of the value, for growth whose wobble grows with it.
        var relativeNoise: Double?
        var heavy = false
        var threshold = family == .flat || family == .logRotation ? capacity * 0.9 : capacity
        var below = false
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
        case .paceChange:
            // Slow growth, then `factor` times faster from `ago` days before the end; full `days` after it.
            let (factor, ago, days, start) = (r.uniform(1.5, 4), r.uniform(3, 20), r.uniform(8, 60), r.uniform(200, 450))
            let rate = (capacity - start) / ((30 - ago) + factor * (ago + days)) / Double(day)
            let change = Int64((30 - ago) * Double(day))
            truth = { t in start + rate * Double(min(t, change)) + factor * rate * Double(max(0, t - change)) }
            heavy = true
        case .compounding:
            // Growing by `percent` a day, full `days` after the end.
            let (percent, days) = (r.uniform(1, 5), r.uniform(8, 60))
            let start = capacity / pow(1 + percent / 100, 30 + days)
            truth = { t in start * pow(1 + percent / 100, Double(t) / Double(day)) }
            noise = max(0.5, start * 0.01)
            heavy = true
        case .oneCleanup:
            // Free space (GB) falling at `rate` a day; `ago` days before the end a cleanup frees
            // `freed` over `minutes` (deleting takes a while); the same fall after it, down to
            // `floor` `days` after the end.
            let (rate, days, freed) = (r.uniform(15, 50), r.uniform(8, 60), r.uniform(100, 400))
            let (ago, minutes, floor) = (r.uniform(6, 10), r.uniform(5, 60), r.uniform(50, 200))
            let start = floor + rate * (days + 30) - freed
            let cleanup = (30 - ago) * Double(day)
            truth = { t in
                start - rate * Double(t) / Double(day) + freed * min(1, max(0, (Double(t) - cleanup) / (minutes * 60_000)))
            }
            (threshold, below, heavy) = (floor, true, true)
        case .compoundingCapacity:
            // Free space of a fixed disk whose use grows `percent` a day, with noise in proportion
            // to the use; a `below` level at `floor` is reached `days` after the end.
            let (percent, days, floor) = (r.uniform(2, 4), r.uniform(10, 60), r.uniform(10, 50))
            let start = (capacity - floor) / pow(1 + percent / 100, 30 + days)
            let used = { (t: Int64) in start * pow(1 + percent / 100, Double(t) / Double(day)) }
            truth = { t in capacity - used(t) }
            relativeNoise = 0.01
            (threshold, below, heavy) = (floor, true, true)
        }
        var samples: [Sample] = []
        samples.reserveCapacity(Int(span / step))
        var t: Int64 = 0
        while t < span {
            let level = truth(t)
            let wobble = relativeNoise.map { $0 * (below ? capacity - level : level) } ?? noise
            var value = level + wobble * (heavy ? r.heavy() : r.normal())
            if family == .logRotation && r.uniform() < 0.004 { value += r.uniform(50, 150) }  // bursts of debug logging
            samples.append(Sample(timestamp: t, value: value))
            t += step
        }
        let truthDays = firstCrossing(after: span - step, threshold: threshold, below: below, truth)
        return Series(samples: samples, threshold: threshold, truth: truthDays, below: below)
    }

    /// Almanac's crossing (likely, and its 80% interval), in days from the end; latest nil: beyond a year.
    static func almanac(_ series: Series) -> (likely: Double?, earliest: Double, latest: Double?)? {
        let now = series.samples.last!.timestamp
        let sign: Double = series.below ? -1 : 1
        let samples = series.below ? series.samples.map { Sample(timestamp: $0.timestamp, value: -$0.value) } : series.samples
        guard let crossing = Forecaster.fit(samples, now: now)?.crossing(of: sign * series.threshold, within: horizon, step: step) else {
            return nil
        }
        let days = { (time: Int64) in Double(time - now) / Double(day) }
        return (crossing.likely.map(days), days(crossing.earliest), crossing.latest.map(days))
    }

    /// Days to the crossing predicted by each method; nil for "not within a year".
    static func predictions(_ series: Series, almanac: Double?) -> [String: Double?] {
        let now = series.samples.last!.timestamp
        var out: [String: Double?] = ["almanac": almanac]
        for (name, window) in [("predict_linear 1h", Int64(3_600_000)), ("predict_linear 6h", 6 * 3_600_000), ("predict_linear 1d", day)] {
            let samples = series.samples.window(endingAt: now, range: window)
            guard let line = LinearRegression.fit(samples, interceptTime: now), series.below ? line.slope < 0 : line.slope > 0 else {
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
        /// Almanac only: how many true crossings its 80% interval held, of how many.
        var covered = 0
        var crossings = 0
        var coverage: Double? { crossings == 0 ? nil : Double(covered) / Double(crossings) }
    }

    /// Median absolute error in days (a missed crossing counts as predicted at the horizon) and
    /// false "full within 7 days" alerts, per family and method.
    static func run(seeds: ClosedRange<Int>) -> [Family: [String: Score]] {
        let seriesPerFamily = seeds.count
        var results: [Family: [String: Score]] = [:]
        for family in Family.allCases {
            var errors: [String: [Double]] = [:]
            var falseAlerts: [String: Int] = [:]
            var (covered, crossings) = (0, 0)
            for seed in seeds {
                let series = make(family, seed: UInt64(seed))
                // One fit and one crossing per series serve both the error and the interval.
                let crossing = almanac(series)
                if let truth = series.truth {
                    crossings += 1
                    if let crossing, crossing.earliest <= truth, truth <= (crossing.latest ?? .infinity) { covered += 1 }
                }
                for (method, predicted) in predictions(series, almanac: crossing?.likely ?? nil) {
                    if let predicted, predicted <= 7, (series.truth ?? .infinity) > 7 { falseAlerts[method, default: 0] += 1 }
                    if let truth = series.truth { errors[method, default: []].append(abs((predicted ?? 365) - truth)) }
                }
            }
            for method in ["almanac", "predict_linear 1h", "predict_linear 6h", "predict_linear 1d"] {
                let e = errors[method] ?? []
                results[family, default: [:]][method] = Score(
                    medianError: e.isEmpty ? nil : e.sorted()[e.count / 2], falseAlerts: falseAlerts[method] ?? 0, series: seriesPerFamily,
                    covered: method == "almanac" ? covered : 0, crossings: method == "almanac" ? crossings : 0)
            }
        }
        return results
    }

    static func report(_ results: [Family: [String: Score]]) -> String {
        var lines = [
            "| family | method | median abs. error (days) | 80% interval holds the truth | false 'full within 7 days' |", "|---|---|---|---|---|",
        ]
        for family in Family.allCases {
            for method in ["almanac", "predict_linear 1h", "predict_linear 6h", "predict_linear 1d"] {
                let s = results[family]![method]!
                let error = s.medianError.map { String(format: "%.1f", $0) } ?? "n/a (never crosses)"
                let coverage = s.coverage.map { "\(Int(($0 * 100).rounded()))% (\(s.covered) of \(s.crossings))" } ?? ""
                lines.append("| \(family.rawValue) | \(method) | \(error) | \(coverage) | \(s.falseAlerts) of \(s.series) |")
            }
        }
        let all = results.values.compactMap { $0["almanac"] }
        let (covered, crossings) = (all.map(\.covered).reduce(0, +), all.map(\.crossings).reduce(0, +))
        let percent = Int((Double(covered) / Double(max(crossings, 1)) * 100).rounded())
        lines.append(
            "\nAll families: the 80% interval held \(covered) of \(crossings) true crossings (\(percent)%)."
        )
        return lines.joined(separator: "\n")
    }
}
