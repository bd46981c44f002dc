import AlmanacMetrics

/// What the forecaster reads from a series' shape before it fits a trend: hourly means, drops
/// (cleanups), the peaks of a sawtooth's cycles and seasonal profiles.
extension Forecaster {
    /// Hourly means once a series is long: trends over days and weekly profiles need no more,
    /// and it keeps a 30-day series at 720 points, so 10,000 series forecast in seconds.
    static func hourly(_ samples: [Sample]) -> [Sample] {
        guard samples.count > 1_000 else { return samples }
        var out: [Sample] = []
        out.reserveCapacity(samples.count / 6)
        var bucket = Int64.min
        var sumT = 0.0
        var sumV = 0.0
        var n = 0.0
        func flush() { if n > 0 { out.append(Sample(timestamp: Int64(sumT / n), value: sumV / n)) } }
        for sample in samples {
            let b = sample.timestamp >= 0 ? sample.timestamp / 3_600_000 : (sample.timestamp - 3_599_999) / 3_600_000
            if b != bucket {
                flush()
                bucket = b
                sumT = 0
                sumV = 0
                n = 0
            }
            sumT += Double(sample.timestamp)
            sumV += sample.value
            n += 1
        }
        flush()
        return out
    }

    /// Indices just after sudden drops: falls far larger than the series' ordinary steps. A
    /// cleanup that takes a while, or straddles two hourly means, falls over several steps in a
    /// row: those count as one drop, where it ends, so one cleanup never reads as a sawtooth.
    static func levelDrops(_ samples: [Sample]) -> [Int] {
        let steps = zip(samples.dropFirst(), samples).map { $0.value - $1.value }
        guard steps.count >= 4 else { return [] }
        let scale = Robust.scale(steps)
        let values = samples.map(\.value)
        let range = (values.max() ?? 0) - (values.min() ?? 0)
        let threshold = max(8 * scale, rangeShare * range)
        guard threshold > 0 else { return [] }
        // Runs of falling steps, joined across one step that does not fall.
        var runs: [(end: Int, fall: Double)] = []
        var index = 0
        while index < steps.count {
            guard steps[index] < -scale else {
                index += 1
                continue
            }
            var fall = 0.0
            var end = index
            while end < steps.count, steps[end] < -scale || (end + 1 < steps.count && steps[end + 1] < -scale && steps[end] < scale) {
                fall += steps[end]
                end += 1
            }
            runs.append((end, fall))
            index = end
        }
        return runs.compactMap { $0.fall < -threshold ? $0.end : nil }
    }

    /// A drop must free at least this share of the series' range, besides standing out of its steps.
    static let rangeShare = 0.1

    /// The highest sample of each cycle between drops, and of the current one.
    static func cyclePeaks(_ samples: [Sample], drops: [Int]) -> [Sample] {
        var bounds = [0] + drops + [samples.count]
        bounds = bounds.enumerated().filter { $0.offset == 0 || $0.element > bounds[$0.offset - 1] }.map(\.element)
        return zip(bounds, bounds.dropFirst()).compactMap { start, end in
            samples[start..<end].max { $0.value < $1.value }
        }
    }

    /// Median residual per phase bin; bins with no data are 0. Profiles too weak to matter are dropped.
    static func profile(_ samples: [Sample], residuals: [Double], bins: Int, period: Int64) -> (offsets: [Double], error: Double)? {
        var buckets = [[Double]](repeating: [], count: bins)
        let width = period / Int64(bins)
        for (sample, residual) in zip(samples, residuals) {
            let bin = Int(((sample.timestamp % period) + period) % period / width)
            buckets[min(bin, bins - 1)].append(residual)
        }
        let medians = buckets.map { $0.isEmpty ? 0 : Robust.median($0) }
        let center = Robust.median(medians)
        let centered = medians.map { $0 - center }
        let spread = Robust.scale(residuals)
        // A profile must stand out of its own noise: the median of n residuals errs by about
        // 1.25 sigma / sqrt(n), and the largest of many such errors by several times that.
        let perBin = Double(samples.count) / Double(bins)
        let within = Robust.scale(zip(buckets, medians).flatMap { bucket, median in bucket.map { $0 - median } })
        let noise = 4 * 1.25 * within / perBin.squareRoot()
        guard let amplitude = centered.map(abs).max(), amplitude > max(spread * 0.5, noise) else { return nil }
        return (centered, 1.25 * within / perBin.squareRoot())
    }
}
