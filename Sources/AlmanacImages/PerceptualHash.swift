import Foundation

/// 64-bit perceptual hashes of an image from its grey levels, as the literature defines them:
/// dHash compares neighbouring pixels of a 9×8 reduction (Krawetz), pHash takes the sign of the
/// 8×8 lowest frequencies of a 32×32 reduction's discrete cosine transform against their median
/// (Zauner). The reductions come from the decoder (libvips shrinks while it decodes); these
/// functions only do the arithmetic, so they are exact and fast to test.
public enum PerceptualHash {
    /// `pixels` is 9 columns × 8 rows of grey levels, row by row; bit i is set when pixel
    /// (i % 8, i / 8) is brighter than its right-hand neighbour.
    public static func dHash(_ pixels: [Double]) -> UInt64 {
        precondition(pixels.count == 72, "dHash needs 9×8 grey levels")
        var hash: UInt64 = 0
        for row in 0..<8 {
            for column in 0..<8 where pixels[row * 9 + column] > pixels[row * 9 + column + 1] {
                hash |= 1 << UInt64(row * 8 + column)
            }
        }
        return hash
    }

    /// `pixels` is 32 × 32 grey levels, row by row.
    public static func pHash(_ pixels: [Double]) -> UInt64 {
        precondition(pixels.count == 1024, "pHash needs 32×32 grey levels")
        let coefficients = dct8x8(pixels)
        // The DC term (0, 0) is the mean brightness, not a feature: it is left out of the median.
        let median = coefficients.dropFirst().sorted()[31]
        var hash: UInt64 = 0
        for (i, value) in coefficients.enumerated() where value > median { hash |= 1 << UInt64(i) }
        return hash
    }

    /// The 8×8 lowest frequencies of the 32×32 type-II DCT, row by row.
    static func dct8x8(_ pixels: [Double]) -> [Double] {
        let n = 32
        let cosines = (0..<8).map { u in (0..<n).map { x in cos(Double((2 * x + 1) * u) * Double.pi / Double(2 * n)) } }
        // Rows first (32 rows × 8 frequencies), then columns.
        var rows = [Double](repeating: 0, count: n * 8)
        for y in 0..<n {
            for u in 0..<8 {
                var sum = 0.0
                for x in 0..<n { sum += pixels[y * n + x] * cosines[u][x] }
                rows[y * 8 + u] = sum
            }
        }
        var out = [Double](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var sum = 0.0
                for y in 0..<n { sum += rows[y * 8 + u] * cosines[v][y] }
                out[v * 8 + u] = sum
            }
        }
        return out
    }

    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}
