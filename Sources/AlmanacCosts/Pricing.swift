/// Hourly prices of a host's CPU and memory, OpenCost's way: a cloud host has them from its
/// price sheet; a host paid as a whole (a fixed monthly price, or donated hardware written off
/// over its lifespan) has its total split by base prices, whose ratio is kept while their sum is
/// scaled to the host's cost (OpenCost's spec: a $35 node with base GPU $30, CPU $30 and RAM $10
/// becomes $15, $15 and $5).
public struct HourlyPrices: Sendable, Hashable, Codable {
    /// Per vCPU-hour.
    public var cpu: Double
    /// Per GB-hour of memory.
    public var memory: Double
    /// Per GPU-hour.
    public var gpu: Double

    public init(cpu: Double, memory: Double, gpu: Double = 0) {
        self.cpu = cpu
        self.memory = memory
        self.gpu = gpu
    }

    /// OpenCost's defaults for hosts without a price sheet (its `default.json`): the ratio
    /// between them is what splits a whole host's price.
    public static let openCostDefaults = HourlyPrices(cpu: 0.031611, memory: 0.004237, gpu: 0.95)

    /// `base` scaled so that `amounts` (vCPUs, GB, GPUs) cost exactly `total`.
    public static func normalized(
        total: Double, cpus: Double, memoryGB: Double, gpus: Double = 0, base: HourlyPrices = openCostDefaults
    )
        -> HourlyPrices
    {
        let atBase = cpus * base.cpu + memoryGB * base.memory + gpus * base.gpu
        guard atBase > 0 else { return HourlyPrices(cpu: 0, memory: 0) }
        let scale = total / atBase
        return HourlyPrices(cpu: base.cpu * scale, memory: base.memory * scale, gpu: base.gpu * scale)
    }
}
