import AlmanacMetrics
import Foundation
import Testing

@Suite struct XORChunkTests {
    func roundTrip(_ samples: [Sample]) throws -> (decoded: [Sample], bytes: Int) {
        var chunk = XORChunk()
        for s in samples { chunk.append(s) }
        return (try XORChunk.decode(chunk.bytes, count: chunk.count), chunk.bytes.count)
    }

    func same(_ a: [Sample], _ b: [Sample]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.timestamp == $1.timestamp && $0.value.bitPattern == $1.value.bitPattern }
    }

    @Test func regularScrapeOfASlowValueIsSmall() throws {
        let samples = (0..<120).map { Sample(timestamp: 1_700_000_000_000 + Int64($0) * 15_000, value: 1_000_000 + Double($0 / 10)) }
        let (decoded, bytes) = try roundTrip(samples)
        #expect(same(decoded, samples))
        #expect(Double(bytes) / 120 < 2.0, "\(bytes) bytes for 120 samples")
    }

    @Test func jitterGapsAndSpecialValuesRoundTrip() throws {
        var t: Int64 = 1_700_000_000_000
        var samples: [Sample] = []
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300, 42.125]
        for i in 0..<120 {
            t += [15_000, 15_003, 14_990, 3_600_000, 15_000, 900_000_000, 1][i % 7]
            samples.append(Sample(timestamp: t, value: i < specials.count ? specials[i] : Double(i) * 1.1))
        }
        #expect(same(try roundTrip(samples).decoded, samples))
    }

    @Test func randomSeriesRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var t = Int64.random(in: -1_000_000_000...1_800_000_000_000, using: &generator)
            let n = Int.random(in: 1...120, using: &generator)
            let samples = (0..<n).map { _ -> Sample in
                t += Int64.random(in: 0...(Bool.random(using: &generator) ? 20_000 : 1 << 40), using: &generator)
                let value =
                    Bool.random(using: &generator)
                    ? Double(Int.random(in: -5...5, using: &generator)) : Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
                return Sample(timestamp: t, value: value)
            }
            #expect(same(try roundTrip(samples).decoded, samples))
        }
    }

    @Test func bucketEdgesRoundTrip() throws {
        var t: Int64 = 0
        var delta: Int64 = 1000
        var samples = [Sample(timestamp: 0, value: 1)]
        for dod: Int64 in [0, 8192, -8191, 8193, -8192, 65536, -65535, 65537, 524288, -524287, 524289, 1 << 40] {
            delta += dod
            t += delta
            samples.append(Sample(timestamp: t, value: 1))
        }
        #expect(same(try roundTrip(samples).decoded, samples))
    }

    @Test func truncatedBytesFailCleanly() throws {
        var chunk = XORChunk()
        for i in 0..<50 { chunk.append(Sample(timestamp: Int64(i) * 1000, value: Double(i) * 0.37)) }
        #expect(throws: (any Error).self) { try XORChunk.decode(Array(chunk.bytes.prefix(chunk.bytes.count / 2)), count: 50) }
    }
}
