/// Energy and emissions of a host over a window, by Cloud Carbon Footprint's method: compute
/// from the average CPU utilisation between a minimum and a maximum wattage per vCPU, memory,
/// SSD and HDD storage and network from per-unit coefficients, all times the data centre's PUE;
/// a measured energy (RAPL) replaces the compute and memory estimate; grams of CO2e from the
/// grid's intensity; embodied emissions spread over the hardware's lifespan.
public struct EnergyCoefficients: Sendable, Hashable, Codable {
    /// Watts per vCPU at idle and at full load.
    public var minWatts: Double
    public var maxWatts: Double
    /// kWh per GB-hour of memory.
    public var memoryKWhPerGBHour: Double
    /// Wh per TB-hour of storage.
    public var ssdWhPerTBHour: Double
    public var hddWhPerTBHour: Double
    /// kWh per GB sent over the network.
    public var networkKWhPerGB: Double

    public init(
        minWatts: Double, maxWatts: Double, memoryKWhPerGBHour: Double, ssdWhPerTBHour: Double, hddWhPerTBHour: Double, networkKWhPerGB: Double
    ) {
        self.minWatts = minWatts
        self.maxWatts = maxWatts
        self.memoryKWhPerGBHour = memoryKWhPerGBHour
        self.ssdWhPerTBHour = ssdWhPerTBHour
        self.hddWhPerTBHour = hddWhPerTBHour
        self.networkKWhPerGB = networkKWhPerGB
    }

    /// Cloud Carbon Footprint's published coefficients (its methodology page, AWS averages, as of
    /// its 2022 coefficient update): 0.74 to 3.5 W per vCPU, 0.392 Wh per GB-hour of memory, 1.2
    /// and 0.65 Wh per TB-hour for SSD and HDD, 0.001 kWh per GB of network.
    public static let cloudCarbonFootprint = EnergyCoefficients(
        minWatts: 0.74, maxWatts: 3.5, memoryKWhPerGBHour: 0.000392, ssdWhPerTBHour: 1.2, hddWhPerTBHour: 0.65, networkKWhPerGB: 0.001)
    public static let source = "Cloud Carbon Footprint methodology (cloudcarbonfootprint.org/docs/methodology), AWS coefficients, 2022"
}

public struct HostEnergy: Sendable, Hashable, Codable {
    /// kWh at the wall, PUE included, by part.
    public var compute: Double
    public var memory: Double
    public var storage: Double
    public var network: Double
    /// True when compute and memory come from a measured counter (RAPL), not the estimate.
    public var measured: Bool
    public var kWh: Double { compute + memory + storage + network }

    /// `utilization` is the average CPU busy share (0 to 1); `measuredKWh` the energy a RAPL
    /// counter saw for the processor and memory, before PUE.
    public init(
        vcpus: Double, utilization: Double, memoryGB: Double, ssdTB: Double, hddTB: Double, networkGB: Double, hours: Double, pue: Double,
        coefficients: EnergyCoefficients, measuredKWh: Double? = nil
    ) {
        let watts = coefficients.minWatts + min(max(utilization, 0), 1) * (coefficients.maxWatts - coefficients.minWatts)
        if let measuredKWh {
            compute = measuredKWh * pue
            memory = 0
            measured = true
        } else {
            compute = watts * vcpus * hours / 1000 * pue
            memory = memoryGB * hours * coefficients.memoryKWhPerGBHour * pue
            measured = false
        }
        storage = (ssdTB * coefficients.ssdWhPerTBHour + hddTB * coefficients.hddWhPerTBHour) * hours / 1000 * pue
        network = networkGB * coefficients.networkKWhPerGB * pue
    }
}

/// Grams of CO2e: operational from energy and the grid, embodied from the hardware's share of
/// its manufacture.
public struct Emissions: Sendable, Hashable, Codable {
    public var operational: Double
    public var embodied: Double
    public var total: Double { operational + embodied }

    /// `gridGramsPerKWh` is the grid's intensity; `embodiedKg` the host's manufacture, spread
    /// evenly over `lifespanYears`.
    public init(kWh: Double, gridGramsPerKWh: Double, embodiedKg: Double, lifespanYears: Double, hours: Double) {
        operational = kWh * gridGramsPerKWh
        embodied = lifespanYears > 0 ? embodiedKg * 1000 * hours / (lifespanYears * 8760) : 0
    }
}

/// The Green Software Foundation's Software Carbon Intensity: SCI = (E × I + M) per R, with E
/// the energy (kWh), I the grid's intensity (g/kWh), M the embodied share (g) and R the
/// functional units (here per thousand requests, or another unit the file names).
public enum SoftwareCarbonIntensity {
    public static func perThousand(kWh: Double, gridGramsPerKWh: Double, embodiedGrams: Double, units: Double) -> Double? {
        guard units > 0 else { return nil }
        return (kWh * gridGramsPerKWh + embodiedGrams) / units * 1000
    }
}
