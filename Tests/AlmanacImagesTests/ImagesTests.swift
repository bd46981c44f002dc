import AlmanacImages
import Foundation
import Testing

@Suite struct PerceptualHashTests {
    /// A horizontal ramp, brighter to the left: every pixel beats its right neighbour.
    @Test func dHashOfARampAndOfAFlatImage() {
        let ramp = (0..<72).map { Double(255 - ($0 % 9) * 20) }
        #expect(PerceptualHash.dHash(ramp) == UInt64.max)
        #expect(PerceptualHash.dHash([Double](repeating: 128, count: 72)) == 0)
    }

    /// pHash ignores brightness and contrast (the DCT is linear and the bits compare against
    /// the median), and tells two different pictures apart.
    @Test func pHashSurvivesBrightnessAndTellsPicturesApart() {
        let picture = (0..<1024).map { i -> Double in
            let (x, y) = (Double(i % 32), Double(i / 32))
            // Not separable in x and y, so every low frequency carries some of it.
            return 128 + 60 * sin(x / 5 + y / 7) + 40 * cos(x * y / 50)
        }
        let brighter = picture.map { $0 * 0.8 + 30 }
        let other = (0..<1024).map { i -> Double in Double((i * 7919) % 251) }
        #expect(PerceptualHash.pHash(picture) == PerceptualHash.pHash(brighter))
        #expect(PerceptualHash.distance(PerceptualHash.pHash(picture), PerceptualHash.pHash(other)) > 20)
    }
}

@Suite struct MultiIndexHashTests {
    /// The index finds exactly what comparing every pair finds, each item once, with its distance.
    @Test func searchEqualsBruteForce() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        let hashes = (0..<2000).map { i -> UInt64 in i % 10 == 0 ? next() : next() & 0xFFFF_0000_FFFF_0000 }
        let index = MultiIndexHash(hashes)
        // Probes near the stored hashes too, so matches fall in every quarter.
        for probe in hashes.prefix(50) + hashes.prefix(50).map({ $0 ^ 0x0001_0100_0010_0003 }) {
            for radius in [0, 3, 4, 10, 13] {
                let found = index.search(probe, radius: radius)
                let expected = Set(hashes.indices.filter { PerceptualHash.distance(hashes[$0], probe) <= radius })
                #expect(Set(found.map(\.item)) == expected && found.count == expected.count)
                #expect(found.allSatisfy { PerceptualHash.distance(hashes[$0.item], probe) == $0.distance })
            }
        }
    }

    @Test func nearDuplicateGroupsNeedBothHashesClose() {
        let p: [UInt64] = [0b1111, 0b1110, 0xFFFF_0000, 0b1111, 0xFFFF_0001]
        let d: [UInt64] = [0, 1, 0xFF, UInt64.max, 0xFE]
        // 0 and 1 are close in both; 3 has 0's pHash but a far dHash; 2 and 4 are close in both.
        // Centres far from everything: only whole pictures are compared.
        let images = zip(d, p).map { NearDuplicates.Hashes(dHash: $0, pHash: $1, centreDHash: 0xABCD_0000_0000, centrePHash: 0xABCD_0000_0000) }
        #expect(NearDuplicates.groups(images, threshold: 2) == [[0, 1], [2, 4]])
    }

    /// A crop's whole picture matches the centre of the picture it was cut from, in either order.
    @Test func aCroppedCopyMatchesTheCentre() {
        let original = NearDuplicates.Hashes(dHash: 0xF0F0, pHash: 0xFF00_FF00, centreDHash: 0x0F0F_0000, centrePHash: 0x00FF_00FF_0000)
        let crop = NearDuplicates.Hashes(dHash: 0x0F0F_0001, pHash: 0x00FF_00FF_0001, centreDHash: 1 << 60, centrePHash: 1 << 61)
        let other = NearDuplicates.Hashes(dHash: 0xF0F0, pHash: 0xFF00_FF00 ^ 0xFFF, centreDHash: 0, centrePHash: 0)
        #expect(NearDuplicates.groups([original, crop, other], threshold: 2) == [[0, 1]])
        #expect(NearDuplicates.groups([crop, original], threshold: 2) == [[0, 1]])
    }
}

@Suite struct SamplingTests {
    /// 10,000 files whose saving is 40% of their size plus noise: a 400-file stratified sample's
    /// interval holds the true total, measuring everything gives it exactly, and a larger
    /// sample is surer.
    @Test func theIntervalHoldsTheTruthAndNarrowsWithTheSample() {
        var generator: UInt64 = 7
        func uniform() -> Double {
            generator = generator &* 6_364_136_223_846_793_005 &+ 1
            return Double(generator >> 11) / Double(1 << 53)
        }
        let sizes = (0..<10_000).map { _ in Int64(50_000 + uniform() * 5_000_000) }
        let pixels = sizes.map { Int($0 / 2) }
        let savings = sizes.map { Double($0) * (0.4 + 0.1 * (uniform() - 0.5)) }
        let truth = savings.reduce(0, +)
        let strata = StratifiedSample.strata(sizes: sizes, pixels: pixels, budget: 1_200_000)
        func estimate(_ count: Int, seed: UInt64) -> StratifiedSample.Estimate {
            let drawn = StratifiedSample.draw(strata: strata, count: count, seed: seed)
            return StratifiedSample.estimate(strata: strata, measured: Dictionary(uniqueKeysWithValues: drawn.map { ($0, savings[$0]) }))
        }
        let small = estimate(400, seed: 1)
        #expect(small.low <= truth && truth <= small.high, "\(small) vs \(truth)")
        #expect(estimate(400, seed: 1) == small, "the same seed draws the same sample")
        #expect(estimate(2000, seed: 1).margin < small.margin)
        let all = StratifiedSample.estimate(strata: strata, measured: Dictionary(uniqueKeysWithValues: savings.enumerated().map { ($0, $1) }))
        #expect(abs(all.total - truth) / truth < 1e-9 && all.margin == 0)
    }
}

@Suite struct AccessLogTests {
    @Test func combinedAndCommonLines() {
        let nginx =
            #"203.0.113.9 - - [26/Nov/2026:10:15:00 +0100] "GET /images/products/301/762/042/1200/1.jpg?v=2 HTTP/1.1" 200 48211 "-" "Mozilla/5.0""#
        let line = AccessLogLine.parse(Substring(nginx))
        #expect(line == AccessLogLine(time: 1_795_684_500_000, path: "/images/products/301/762/042/1200/1.jpg", status: 200))
        let apache = #"10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#
        #expect(AccessLogLine.parse(Substring(apache)) == AccessLogLine(time: 971_211_336_000, path: "/apache_pb.gif", status: 200))
        #expect(AccessLogLine.parse("garbage") == nil && AccessLogLine.parse(#"x - - [bad] "GET / HTTP/1.1" 200 1"#) == nil)
    }
}
