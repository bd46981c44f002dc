import AlmanacImages
import Foundation
import Testing

@Suite struct SimilarityTests {
    static func picture(_ width: Int, _ height: Int, _ f: (Int, Int) -> Double) -> GreyImage {
        GreyImage(
            width: width, height: height,
            pixels: (0..<width * height).map { UInt8(max(0, min(255, f($0 % width, $0 / width).rounded()))) })
    }

    /// SSIM is 1 for the same picture, below 1 when noise is added, and lower with more noise.
    @Test func ssimFallsWithNoise() {
        let base = Self.picture(64, 48) { x, y in 128 + 80 * sin(Double(x) / 6) * cos(Double(y) / 9) }
        var state: UInt64 = 7
        func noise(_ amplitude: Double) -> GreyImage {
            Self.picture(64, 48) { x, y in
                state = state &* 6_364_136_223_846_793_005 &+ 1
                return Double(base.pixels[y * 64 + x]) + amplitude * (Double(state >> 40) / Double(1 << 24) - 0.5)
            }
        }
        #expect(StructuralSimilarity.index(base, base) == 1)
        let light = StructuralSimilarity.index(base, noise(10))
        let heavy = StructuralSimilarity.index(base, noise(80))
        #expect(light < 1 && light > 0.8)
        #expect(heavy < light)
    }

    /// Rec. 601 luma from RGB, and transparency blended onto white.
    @Test func greyLevelsFromColourAndAlpha() {
        #expect(GreyImage.levels([255, 0, 0, 0, 255, 0, 0, 0, 255], bands: 3) == [76, 150, 29])
        #expect(GreyImage.levels([0, 0, 0, 0, 0, 0, 0, 255], bands: 4) == [255, 0])
        #expect(GreyImage.levels([100, 128], bands: 2) == [177])  // 100 × 128/255 + 255 × 127/255
        #expect(GreyImage.levels([7, 9], bands: 1) == [7, 9])
    }

    /// Averaging 32 columns into 9 weighs the cells each output straddles by their overlap.
    @Test func areaAverageKeepsTheMeanAndSplitsCells() {
        let ramp = Self.picture(32, 32) { x, _ in Double(x * 8) }
        let reduced = ramp.averaged(toWidth: 9, height: 8)
        #expect(reduced.count == 72)
        let mean = reduced.reduce(0, +) / 72
        #expect(abs(mean - ramp.pixels.map(Double.init).reduce(0, +) / 1024) < 1e-9)
        // The first output column covers columns 0 to 3.555…: (0 + 8 + 16 + 0.555… × 24) / 3.555…
        #expect(abs(reduced[0] - (0 + 8 + 16 + 24 * (32.0 / 9 - 3)) / (32.0 / 9)) < 1e-9)
        // A ramp brighter to the right has no pixel brighter than its right neighbour.
        #expect(PerceptualHash.dHash(reduced) == 0)
    }
}

@Suite struct DuplicateGroupTests {
    static func file(_ path: String, size: Int64, sha: String, modified: Int64 = 0, width: Int = 100, hash: UInt64 = 0) -> ImageRecord {
        ImageRecord(
            path: path, relative: path, size: size, modified: modified, format: "jpeg", width: width, height: width, sha256: sha, dHash: hash,
            pHash: hash, centreDHash: hash, centrePHash: hash, problem: nil)
    }

    /// The oldest copy is kept in an exact group; a near group keeps the most pixels and counts the
    /// identical copies of one picture once.
    @Test func exactAndNearGroups() {
        let files = [
            Self.file("a.jpg", size: 100, sha: "x", modified: 5, hash: 0b1111),
            Self.file("b.jpg", size: 100, sha: "x", modified: 1, hash: 0b1111),
            Self.file("c.jpg", size: 400, sha: "y", width: 200, hash: 0b1110),
            Self.file("d.jpg", size: 50, sha: "z", hash: ~0),
        ]
        let groups = DuplicateGroups.find(files, threshold: 4)
        #expect(groups.exact.map { [$0.members, [$0.keep], [Int($0.freed)]] } == [[[0, 1], [1], [100]]])
        #expect(groups.near.map { [$0.members, [$0.keep], [Int($0.freed)]] } == [[[1, 2], [2], [100]]])
        #expect(groups.exactFreed + groups.nearFreed == 200)
    }

    @Test func planTakesOneActionPerFileAndNeverTouchesTheKeptCopy() {
        let files = [
            Self.file("a.jpg", size: 100, sha: "x", modified: 5), Self.file("b.jpg", size: 100, sha: "x", modified: 1),
            Self.file("big.jpg", size: 900, sha: "y", width: 5000), Self.file("cold.jpg", size: 10, sha: "z"),
        ]
        let groups = DuplicateGroups.find(files, threshold: 0)
        let actions = StoragePlan.build(files: files, duplicates: groups, kinds: Set(StoragePlan.Kind.allCases), cold: [3], pixelBudget: 12_000_000)
        #expect(actions.map { "\($0.path):\($0.kind.rawValue)" } == ["a.jpg:deduplicate", "big.jpg:downscale", "cold.jpg:cold"])
        #expect(actions[0].keep == "b.jpg")
        let onlyWebP = StoragePlan.build(files: files, duplicates: groups, kinds: [.webp], cold: [], pixelBudget: 12_000_000)
        #expect(onlyWebP.count == 4)
    }
}

@Suite struct AccessHeatTests {
    static func line(_ path: String, day: Int, status: Int = 200) -> Substring {
        Substring("203.0.113.9 - - [\(String(format: "%02d", day))/Oct/2026:10:00:00 +0000] \"GET \(path) HTTP/1.1\" \(status) 512 \"-\" \"x\"")
    }

    /// Hits count only when served; the windows end at the newest request; a short log is flagged.
    @Test func hotAndColdPerWindow() {
        var heat = AccessHeat(prefix: "/images/")
        for line in [
            Self.line("/images/a.jpg", day: 30), Self.line("/images/b%20c.jpg?size=200", day: 1),
            Self.line("/images/missing.jpg", day: 30, status: 404),
            Self.line("/other/a.jpg", day: 30), "garbage",
        ] {
            heat.add(line)
        }
        #expect(heat.unreadable == 1)
        let files = [
            DuplicateGroupTests.file("a.jpg", size: 10, sha: "1"), DuplicateGroupTests.file("b c.jpg", size: 20, sha: "2"),
            DuplicateGroupTests.file("missing.jpg", size: 40, sha: "3"),
        ]
        let windows = heat.windows(files)
        #expect(windows[0].hotFiles == 2 && windows[0].hotBytes == 30 && windows[0].coldFiles == 1 && windows[0].coldBytes == 40)
        #expect(windows[0].covered)
        #expect(heat.count("b c.jpg", days: 30, now: heat.newest) == 1)
        #expect(!windows[1].covered)
    }
}

@Suite struct StorageReportTests {
    /// With every image measured the estimate is the exact total and its interval closes.
    @Test func aCensusHasNoMargin() throws {
        let files = (0..<12).map { DuplicateGroupTests.file("\($0).jpg", size: Int64(100 + $0 * 10), sha: "\($0)", hash: UInt64($0) << 20) }
        let images = Array(files.indices)
        let strata = StratifiedSample.strata(sizes: files.map(\.size), pixels: files.map(\.pixels), budget: 12_000_000)
        let samples = images.map { SampleMeasure(index: $0, webpBytes: files[$0].size / 2, webpSSIM: 0.97, downscaledBytes: nil, downscaleSSIM: nil) }
        let prices = StoragePrices(currency: "EUR", perGBMonth: 0.02, coldPerGBMonth: 0.005, kgCO2ePerGBMonth: 0.001)
        let report = StorageReport.make(
            files: files, duplicates: DuplicateGroups.find(files, threshold: 0), images: images, strata: strata, samples: samples, heat: nil,
            prices: prices, pixelBudget: 12_000_000)
        let webp = report.savings.first { $0.kind == "WebP" }!
        #expect(webp.bytes == Double(files.reduce(0) { $0 + $1.size - $1.size / 2 }))
        #expect(webp.low == webp.bytes && webp.high == webp.bytes)
        #expect(abs(webp.money! - webp.bytes / 1e9 * 0.02) < 1e-15)
        #expect(report.markdown().contains("| WebP | 12 |"))
        let json = String(decoding: try JSONEncoder().encode(StorageReportJSON(report)), as: UTF8.self)
        #expect(json.contains("\"kg_co2e\"") && json.contains("\"by_size\""))
    }
}
