import Foundation

/// Requests and limits from observed usage, by the Kubernetes VPA recommender's method:
/// CPU samples in a decaying histogram (target p90), memory as one peak per day over the last
/// eight days (target p90 of those peaks), a 15% margin, bounds widened while the history is
/// short, and a memory bump after an OOM kill. Every parameter can be changed.
public struct Recommender: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable {
        public var cpuTarget = 0.9
        public var cpuLower = 0.5
        public var cpuUpper = 0.95
        public var memoryTarget = 0.9
        public var memoryLower = 0.5
        public var memoryUpper = 0.95
        public var margin = 0.15
        /// Milliseconds for a sample's weight to halve.
        public var halfLife: Int64 = 86_400_000
        /// The length of one memory-peak window, and how many windows are kept.
        public var memoryWindow: Int64 = 86_400_000
        public var memoryWindows = 8
        public var oomBumpRatio = 1.2
        public var oomMinimumBump = 100.0 * 1024 * 1024
        public var minimumCPU = 0.025
        public var minimumMemory = 250.0 * 1024 * 1024
        /// Samples per day that make one day of confidence (VPA: one a minute).
        public var samplesPerDay = 1440.0

        public init() {}
    }

    /// What a process or container used: CPU in cores, memory in bytes, times in ms.
    public struct History: Sendable, Hashable {
        public var cpu: [(time: Int64, cores: Double)]
        public var memory: [(time: Int64, bytes: Double)]
        /// OOM kills: when, and the memory in use (or requested) at that moment.
        public var ooms: [(time: Int64, bytes: Double)]

        public init(cpu: [(time: Int64, cores: Double)], memory: [(time: Int64, bytes: Double)], ooms: [(time: Int64, bytes: Double)] = []) {
            self.cpu = cpu
            self.memory = memory
            self.ooms = ooms
        }

        public static func == (a: History, b: History) -> Bool {
            a.cpu.elementsEqual(b.cpu) { $0 == $1 } && a.memory.elementsEqual(b.memory) { $0 == $1 } && a.ooms.elementsEqual(b.ooms) { $0 == $1 }
        }

        public func hash(into hasher: inout Hasher) { hasher.combine(cpu.count + memory.count) }
    }

    public struct Bounds: Sendable, Hashable, Codable {
        public var lower: Double
        public var target: Double
        /// Infinite with no history to trust (written as null in JSON).
        public var upper: Double

        enum CodingKeys: String, CodingKey { case lower, target, upper }

        public init(lower: Double, target: Double, upper: Double) {
            self.lower = lower
            self.target = target
            self.upper = upper
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            lower = try c.decode(Double.self, forKey: .lower)
            target = try c.decode(Double.self, forKey: .target)
            upper = try c.decodeIfPresent(Double.self, forKey: .upper) ?? .infinity
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lower, forKey: .lower)
            try c.encode(target, forKey: .target)
            try c.encode(upper.isFinite ? upper : nil, forKey: .upper)
        }
    }

    public struct Recommendation: Sendable, Hashable, Codable {
        /// Cores.
        public var cpu: Bounds
        /// Bytes.
        public var memory: Bounds
        /// Days of history the bounds trust (VPA's confidence).
        public var confidenceDays: Double
        public var ooms: Int

        public init(cpu: Bounds, memory: Bounds, confidenceDays: Double, ooms: Int) {
            self.cpu = cpu
            self.memory = memory
            self.confidenceDays = confidenceDays
            self.ooms = ooms
        }
    }

    public var parameters: Parameters

    public init(_ parameters: Parameters = Parameters()) { self.parameters = parameters }

    public func recommend(_ history: History, now: Int64) -> Recommendation {
        let p = parameters
        var cpu = DecayingHistogram(buckets: .cpu, halfLife: p.halfLife)
        for sample in history.cpu where sample.cores >= 0 { cpu.add(sample.cores, weight: 1, at: sample.time) }
        var memory = DecayingHistogram(buckets: .memory, halfLife: p.halfLife)
        let oldest = now - p.memoryWindow * Int64(p.memoryWindows)
        // One sample per window: its peak, weighted at the time the peak was seen.
        var peaks: [Int64: (time: Int64, bytes: Double)] = [:]
        let bumps = history.ooms.map { oom in (oom.time, max(oom.bytes * p.oomBumpRatio, oom.bytes + p.oomMinimumBump)) }
        // Windows counted back from now, the newest first, so the last one is always whole.
        for (time, bytes) in history.memory.map({ ($0.time, $0.bytes) }) + bumps where time > oldest && time <= now {
            let window = (now - time) / p.memoryWindow
            if let peak = peaks[window], peak.bytes >= bytes { continue }
            peaks[window] = (time, bytes)
        }
        for peak in peaks.values.sorted(by: { $0.time < $1.time }) { memory.add(peak.bytes, weight: 1, at: peak.time) }
        let times = (history.cpu.map(\.time) + history.memory.map(\.time)).sorted()
        let lifespan = Double((times.last ?? 0) - (times.first ?? 0)) / 86_400_000
        let confidence = min(lifespan, Double(max(history.cpu.count, history.memory.count)) / p.samplesPerDay)
        let widenUp = confidence > 0 ? pow(1 + 1 / confidence, 1) : .infinity
        let narrowDown = confidence > 0 ? pow(1 + 0.001 / confidence, -2) : 0
        let m = 1 + p.margin
        return Recommendation(
            cpu: Bounds(
                lower: max(p.minimumCPU, cpu.percentile(p.cpuLower) * m * narrowDown), target: max(p.minimumCPU, cpu.percentile(p.cpuTarget) * m),
                upper: max(p.minimumCPU, cpu.percentile(p.cpuUpper) * m * widenUp)),
            memory: Bounds(
                lower: max(p.minimumMemory, memory.percentile(p.memoryLower) * m * narrowDown),
                target: max(p.minimumMemory, memory.percentile(p.memoryTarget) * m),
                upper: max(p.minimumMemory, memory.percentile(p.memoryUpper) * m * widenUp)),
            confidenceDays: confidence, ooms: history.ooms.count)
    }
}
