import AlmanacConfig
import AlmanacExperiments
import Foundation
import Testing

/// 2,000 A/A experiments read every day for 30 days: how many are ever declared significant at
/// 5%. The sequential test keeps that share under 5% however often people look; the
/// fixed-horizon p-value read daily does not (the inflation peeking causes).
@Suite struct PeekingTests {
    /// Successes in `n` trials of chance `p`, by geometric jumps between successes.
    static func binomial(_ n: Int, _ p: Double, _ rng: inout SplitMix64) -> Int {
        var count = 0
        var position = 0
        let logFailure = log(1 - p)
        while true {
            position += Int(log(Double.random(in: Double.ulpOfOne..<1, using: &rng)) / logFailure) + 1
            if position > n { return count }
            count += 1
        }
    }

    /// The share and its 95% Wilson interval.
    static func share(_ hits: Int, of n: Int) -> (Double, Double, Double) {
        let p = Double(hits) / Double(n)
        let z = 1.959963984540054
        let centre = (p + z * z / (2 * Double(n))) / (1 + z * z / Double(n))
        let half = z * (p * (1 - p) / Double(n) + z * z / (4 * Double(n) * Double(n))).squareRoot() / (1 + z * z / Double(n))
        return (p, centre - half, centre + half)
    }

    @Test func dailyLooksStayUnderAlphaWithTheSequentialTest() {
        var rng = SplitMix64(seed: 20_261_207)
        let experiments = 2_000
        var sequentialHits = 0
        var fixedHits = 0
        for _ in 0..<experiments {
            var a = (n: 0, conversions: 0)
            var b = (n: 0, conversions: 0)
            var sequential = false
            var fixed = false
            for _ in 0..<30 {
                a.n += 1_000
                b.n += 1_000
                a.conversions += Self.binomial(1_000, 0.1, &rng)
                b.conversions += Self.binomial(1_000, 0.1, &rng)
                let control = Statistic.plain(.proportion(n: a.n, conversions: Double(a.conversions)))
                let variant = Statistic.plain(.proportion(n: b.n, conversions: Double(b.conversions)))
                if !sequential && Lift.sequential(control: control, variant: variant).pValue < 0.05 { sequential = true }
                if !fixed && Lift.tTest(control: control, variant: variant).pValue < 0.05 { fixed = true }
            }
            if sequential { sequentialHits += 1 }
            if fixed { fixedHits += 1 }
        }
        let (s, sLow, sHigh) = Self.share(sequentialHits, of: experiments)
        let (f, fLow, fHigh) = Self.share(fixedHits, of: experiments)
        print(
            String(
                format: "A/A, 30 daily looks: sequential %.2f%% [%.2f%%, %.2f%%]; fixed-horizon %.2f%% [%.2f%%, %.2f%%]",
                s * 100, sLow * 100, sHigh * 100, f * 100, fLow * 100, fHigh * 100))
        #expect(s <= 0.05, "sequential: \(s)")
        #expect(f > 0.12, "peeking at the fixed-horizon p-value inflates false positives: \(f)")
    }
}
