import Foundation
import Testing

@testable import AlmanacCapacity

/// Golden cases for the VPA method, each expected value worked out from the formulas rather
/// than by running the code: a value v falls in bucket ⌊log(1 + v·0.05/first) / log 1.05⌋ and a
/// percentile reads the end of its bucket, first·(1.05^(b+1) − 1)/0.05; the target adds 15%,
/// the upper bound multiplies by (1 + 1/confidence), the lower by (1 + 0.001/confidence)^−2.
@Suite struct RecommenderTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_800_000_000_000

    /// One sample a minute for `days`, ending now.
    static func minutes(days: Double, _ value: (_ t: Int64, _ daysAgo: Double) -> Double) -> [(Int64, Double)] {
        let count = Int(days * 1440)
        return (0..<count).map { i in
            let t = now - Int64(count - 1 - i) * 60_000
            return (t, value(t, Double(now - t) / Double(day)))
        }
    }

    static func history(
        days: Double = 8, cpu: (Int64, Double) -> Double, memory: (Int64, Double) -> Double, ooms: [(Int64, Double)] = []
    ) -> Recommender.History {
        .init(
            cpu: minutes(days: days, cpu).map { (time: $0.0, cores: $0.1) }, memory: minutes(days: days, memory).map { (time: $0.0, bytes: $0.1) },
            ooms: ooms.map { (time: $0.0, bytes: $0.1) })
    }

    static func cpuEnd(_ bucket: Int) -> Double { 0.01 * (pow(1.05, Double(bucket + 1)) - 1) / 0.05 }
    static func memoryEnd(_ bucket: Int) -> Double { 1e7 * (pow(1.05, Double(bucket + 1)) - 1) / 0.05 }
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1) }

    /// Eight days of 11,520 samples: confidence = min(lifespan 7.9993 days, 11520/1440 = 8).
    static let confidence = Double(8 * 1440 - 1) / 1440

    /// 0.5 core: log(3.5)/log 1.05 = 25.68, bucket 25. 500 MB: the same ratio to its 10 MB first bucket.
    @Test func steady() {
        let r = Recommender().recommend(Self.history(cpu: { _, _ in 0.5 }, memory: { _, _ in 5e8 }), now: Self.now)
        #expect(Self.close(r.confidenceDays, Self.confidence))
        #expect(Self.close(r.cpu.target, Self.cpuEnd(25) * 1.15))
        #expect(Self.close(r.cpu.upper, Self.cpuEnd(25) * 1.15 * (1 + 1 / Self.confidence)))
        #expect(Self.close(r.cpu.lower, Self.cpuEnd(25) * 1.15 * pow(1 + 0.001 / Self.confidence, -2)))
        #expect(Self.close(r.memory.target, Self.memoryEnd(25) * 1.15))
        #expect(abs(r.cpu.target - 0.5878) < 0.0001)  // 0.51113 core, the end of bucket 25, plus 15%
    }

    /// Three busy hours a day at 1 core (12.5% of the samples, a little more once recent hours
    /// weigh more), 0.2 core otherwise: p90 and p95 fall in 1 core's bucket (log 6/log 1.05 =
    /// 36.7), p50 in 0.2's (14.2). Memory peaks at 800 MB each day: log 5/log 1.05 = 32.99, bucket 32.
    @Test func dailyPeak() {
        let busy: (Int64, Double) -> Bool = { t, _ in (t / 3_600_000) % 24 >= 12 && (t / 3_600_000) % 24 < 15 }
        let r = Recommender().recommend(
            Self.history(cpu: { busy($0, $1) ? 1.0 : 0.2 }, memory: { busy($0, $1) ? 8e8 : 3e8 }), now: Self.now)
        #expect(Self.close(r.cpu.target, Self.cpuEnd(36) * 1.15))
        #expect(Self.close(r.cpu.lower, Self.cpuEnd(14) * 1.15 * pow(1 + 0.001 / Self.confidence, -2)))
        #expect(Self.close(r.memory.target, Self.memoryEnd(32) * 1.15))
    }

    /// CPU climbing from 0.1 to 0.9 core over 8 days. With weights 2^(t/1 day), the weight
    /// below day T is (2^T − 1)/(2^8 − 1); p90 is at 2^T = 230.5, T = 7.849 days, 0.885 core:
    /// log(5.424)/log 1.05 = 34.66, bucket 34. (Unweighted, p90 would be day 7.2, bucket 33.)
    @Test func growing() {
        let r = Recommender().recommend(Self.history(cpu: { _, ago in 0.1 + 0.1 * (8 - ago) }, memory: { _, _ in 5e8 }), now: Self.now)
        #expect(Self.close(r.cpu.target, Self.cpuEnd(34) * 1.15))
    }

    /// Ten minutes at 4 cores and 2 GB three days ago, 0.2 core and 500 MB otherwise. CPU p90
    /// stays in 0.2's bucket (14). Memory keeps one peak per day: the spike's window weighs
    /// 2^5.04 of 2^0 + ... + 2^7, so 223/255.9 = 87% lies below it and p90 is the spike's bucket
    /// (2 GB: log 11/log 1.05 = 49.15, bucket 49): VPA sizes memory for the spikes that kill.
    @Test func spike() {
        let inSpike: (Double) -> Bool = { ago in ago > 2.99 && ago <= 2.99 + 10.0 / 1440 }
        let r = Recommender().recommend(
            Self.history(cpu: { inSpike($1) ? 4 : 0.2 }, memory: { inSpike($1) ? 2e9 : 5e8 }), now: Self.now)
        #expect(Self.close(r.cpu.target, Self.cpuEnd(14) * 1.15))
        #expect(Self.close(r.memory.target, Self.memoryEnd(49) * 1.15))
        #expect(Self.close(r.memory.lower, Self.memoryEnd(25) * 1.15 * pow(1 + 0.001 / Self.confidence, -2)))
    }

    /// An OOM kill at 600 MB two days ago: the bump is max(600·1.2, 600 + 100 MiB) = 720 MB,
    /// that day's peak; 720 MB is bucket 31 (log 4.6/log 1.05 = 31.28) and weighs 2^6 of 255.
    @Test func oomKill() {
        let r = Recommender().recommend(
            Self.history(cpu: { _, _ in 0.5 }, memory: { _, _ in 5e8 }, ooms: [(Self.now - 2 * Self.day + 60_000, 6e8)]), now: Self.now)
        #expect(r.ooms == 1)
        #expect(Self.close(r.memory.target, Self.memoryEnd(31) * 1.15))
    }

    /// One day of history: the upper bound doubles (1 + 1/1), the minimums hold small loads up.
    @Test func shortHistoryWidensAndMinimumsHold() {
        let r = Recommender().recommend(Self.history(days: 1, cpu: { _, _ in 0.001 }, memory: { _, _ in 5e8 }), now: Self.now)
        let confidence = Double(1440 - 1) / 1440
        #expect(Self.close(r.memory.upper, Self.memoryEnd(25) * 1.15 * (1 + 1 / confidence)))
        #expect(r.cpu.target == 0.025)
        let none = Recommender().recommend(.init(cpu: [(Self.now, 0.5)], memory: []), now: Self.now)
        #expect(none.cpu.upper == .infinity)
    }
}
