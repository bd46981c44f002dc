import AlmanacConfig
import Foundation

/// Savings measured on a stratified random sample and carried to the whole tree, with a 95%
/// confidence interval (the stratified estimator of a total: Cochran, Sampling Techniques, 5.2
/// and 5.3), so "WebP saves 41%" comes with how sure the figure is.
public enum StratifiedSample {
    /// A stratum per size quartile and per side of the pixel budget (8 in all): big photos and
    /// small ones save differently, and the downscale touches only those over the budget.
    public static func strata(sizes: [Int64], pixels: [Int], budget: Int) -> [Int] {
        let sorted = sizes.sorted()
        let cuts = (1..<4).map { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * $0 / 4)] }
        return zip(sizes, pixels).map { size, pixels in
            let quartile = cuts.filter { size >= $0 }.count
            return quartile * 2 + (pixels > budget ? 1 : 0)
        }
    }

    /// `count` files drawn without replacement, spread over the strata in proportion to their
    /// sizes (at least two from each stratum that has two), reproducibly from `seed`.
    public static func draw(strata: [Int], count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        let members = Dictionary(grouping: strata.indices, by: { strata[$0] })
        var chosen: [Int] = []
        for stratum in members.keys.sorted() {
            var files = members[stratum] ?? []
            let share = Int((Double(count) * Double(files.count) / Double(max(1, strata.count))).rounded())
            let take = min(files.count, max(min(2, files.count), share))
            for i in 0..<take {
                let j = i + Int(generator.next() % UInt64(files.count - i))
                files.swapAt(i, j)
            }
            chosen += files.prefix(take)
        }
        return chosen.sorted()
    }

    public struct Estimate: Sendable, Equatable {
        public var total: Double
        /// Half the width of the 95% interval.
        public var margin: Double
        public var low: Double { total - margin }
        public var high: Double { total + margin }
    }

    /// The whole tree's total of a measure known on the sample: `measured` maps sampled file → value.
    public static func estimate(strata: [Int], measured: [Int: Double]) -> Estimate {
        let population = Dictionary(grouping: strata.indices, by: { strata[$0] }).mapValues(\.count)
        let sampled = Dictionary(grouping: measured.keys, by: { strata[$0] })
        var total = 0.0
        var variance = 0.0
        // In a fixed order, so the same sample gives the same figure to the last bit.
        for (stratum, size) in population.sorted(by: { $0.key < $1.key }) {
            let values = (sampled[stratum] ?? []).sorted().compactMap { measured[$0] }
            guard !values.isEmpty else { continue }
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            total += Double(size) * mean
            guard values.count > 1 else { continue }
            let s2 = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)
            variance += Double(size) * Double(size) * (1 - n / Double(size)) * s2 / n
        }
        return Estimate(total: total, margin: 1.96 * variance.squareRoot())
    }
}
