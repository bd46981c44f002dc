import AlmanacConfig
import Testing

@testable import AlmanacCosts

/// Golden cases worked out by hand from the methods' own definitions.
@Suite struct CostsGoldenTests {
    static func close(_ a: Double, _ b: Double, within tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    /// OpenCost's specification: a $35 node with 1 GPU, 1 CPU and 1 GB, base prices GPU $30, CPU
    /// $30, RAM $10: scaled by 35/70 to $15, $15 and $5, the 3:1 ratio kept.
    @Test func openCostNormalisesBasePricesToTheNodesCost() {
        let prices = HourlyPrices.normalized(total: 35, cpus: 1, memoryGB: 1, gpus: 1, base: HourlyPrices(cpu: 30, memory: 10, gpu: 30))
        #expect(Self.close(prices.cpu, 15) && Self.close(prices.memory, 5) && Self.close(prices.gpu, 15))
    }

    /// A 4-vCPU, 16 GB host at 0.03 a vCPU-hour and 0.004 a GB-hour for 100 hours costs
    /// (0.12 + 0.064) × 100 = 18.40. A holds max(1 requested, 0.5 used) = 1 vCPU and 4 GB:
    /// 3.00 + 1.60 = 4.60; B max(none, 2) = 2 vCPUs and max(2, 3) = 3 GB: 6.00 + 1.20 = 7.20.
    /// Idle 18.40 − 11.80 = 6.60, spread 4.6:7.2: A 2.5729, B 4.0271.
    @Test func idleIsSpreadInProportionAndEverythingAddsUp() {
        let demands = [
            HostAllocation.Demand(service: "a", cpuRequest: 1, cpuUsage: 0.5, memoryUsageGB: 4),
            HostAllocation.Demand(service: "b", cpuUsage: 2, memoryRequestGB: 2, memoryUsageGB: 3),
        ]
        let prices = HourlyPrices(cpu: 0.03, memory: 0.004)
        let split = HostAllocation(host: "h", hours: 100, cpus: 4, memoryGB: 16, prices: prices, demands: demands, rule: .proportional)
        #expect(Self.close(split.total, 18.4) && Self.close(split.unallocated, 6.6) && split.idle == 0)
        #expect(Self.close(split.shares[0].cpuCost + split.shares[0].memoryCost, 4.6))
        #expect(Self.close(split.shares[0].idleCost, 6.6 * 4.6 / 11.8) && Self.close(split.shares[1].idleCost, 6.6 * 7.2 / 11.8))
        #expect(Self.close(split.shares.map(\.total).reduce(0, +) + split.idle, split.total))
        let kept = HostAllocation(host: "h", hours: 100, cpus: 4, memoryGB: 16, prices: prices, demands: demands, rule: .none)
        #expect(Self.close(kept.idle, 6.6) && kept.shares.allSatisfy { $0.idleCost == 0 })
        #expect(Cents.split([4.6 + 2.5729, 7.2 + 4.0271], total: 18.4).reduce(0, +) == 1840)
        #expect(Cents.split([1 / 3, 1 / 3, 1 / 3], total: 1) == [34, 33, 33])
    }

    /// A service whose usage is unknown is a gap, not a free ride at zero.
    @Test func missingUsageIsMarked() {
        let split = HostAllocation(
            host: "h", hours: 1, cpus: 2, memoryGB: 4, prices: .init(cpu: 1, memory: 1), demands: [.init(service: "ghost")], rule: .proportional)
        #expect(split.shares[0].missingUsage)
    }

    /// Cloud Carbon Footprint: 8 vCPUs at 50% for 720 h, 0.74 to 3.5 W per vCPU, PUE 1.135:
    /// (0.74 + 0.5 × 2.76) = 2.12 W × 8 × 720 h = 12,211.2 Wh, × 1.135 = 13,859.712 Wh; on a
    /// 56 g/kWh grid (France, 2023) 776.14 g.
    @Test func cloudCarbonFootprintToTheWattHour() {
        let energy = HostEnergy(
            vcpus: 8, utilization: 0.5, memoryGB: 0, ssdTB: 0, hddTB: 0, networkGB: 0, hours: 720, pue: 1.135,
            coefficients: .cloudCarbonFootprint)
        #expect(abs(energy.kWh * 1000 - 13_859.712) < 0.001)
        let emissions = Emissions(kWh: energy.kWh, gridGramsPerKWh: GridFactors.table["FR"]!, embodiedKg: 0, lifespanYears: 4, hours: 720)
        #expect(abs(emissions.operational - 776.143_872) < 1e-6)
        // 64 GB and 2 TB of SSD for the same 720 h: 64 × 720 × 0.000392 = 18.06336, × 1.135 = 20.5019136 kWh and
        // 2 × 1.2 × 720 / 1000 × 1.135 = 1.96128 kWh.
        let more = HostEnergy(
            vcpus: 0, utilization: 0, memoryGB: 64, ssdTB: 2, hddTB: 0, networkGB: 0, hours: 720, pue: 1.135, coefficients: .cloudCarbonFootprint)
        #expect(abs(more.memory - 20.501_913_6) < 1e-9 && abs(more.storage - 1.961_28) < 1e-9)
        // A RAPL counter's 10 kWh replaces compute and memory, PUE still applies.
        let measured = HostEnergy(
            vcpus: 8, utilization: 0.5, memoryGB: 64, ssdTB: 0, hddTB: 0, networkGB: 0, hours: 720, pue: 1.135, coefficients: .cloudCarbonFootprint,
            measuredKWh: 10)
        #expect(measured.measured && abs(measured.kWh - 11.35) < 1e-12)
    }

    /// SCI = (E × I + M) / R: 2 kWh on a 300 g/kWh grid and 100 g embodied for 20,000 requests
    /// is (600 + 100) / 20,000 = 0.035 g a request, 35 g per thousand. Embodied share: 1,200 kg
    /// over 4 years, 730 hours = 1,200,000 × 730 / 35,040 = 25,000 g.
    @Test func softwareCarbonIntensity() {
        #expect(Self.close(SoftwareCarbonIntensity.perThousand(kWh: 2, gridGramsPerKWh: 300, embodiedGrams: 100, units: 20_000)!, 35))
        #expect(SoftwareCarbonIntensity.perThousand(kWh: 2, gridGramsPerKWh: 300, embodiedGrams: 100, units: 0) == nil)
        #expect(Self.close(Emissions(kWh: 0, gridGramsPerKWh: 0, embodiedKg: 1200, lifespanYears: 4, hours: 730).embodied, 25_000))
    }

    static func problem(_ yaml: String, hosts: Set<String>? = ["off1", "off2"]) -> String {
        do {
            _ = try CostsFile.parse(try ConfigDocument.parse(yaml, file: CostsFile.path), knownHosts: hosts, grid: GridFactors.table)
            return "parsed"
        } catch { return "\(error)" }
    }

    @Test func badInputNamesFileLineAndField() {
        let host = "hosts:\n  - {name: off1, vcpus: 8, memory_gb: 32, location: FR, fixed: {monthly: 100}}\n"
        #expect(Self.problem("currency: EUR\n" + host) == "parsed")
        #expect(Self.problem(host) == "capacity/costs.yaml:1: missing 'currency' (an ISO code such as EUR): every price is in it")
        #expect(
            Self.problem("currency: EUR\nhosts:\n  - {name: off9, vcpus: 8, memory_gb: 32, location: FR, fixed: {monthly: 100}}\n")
                .hasPrefix("capacity/costs.yaml:3: hosts[0].name: unknown host 'off9'"))
        #expect(
            Self.problem("currency: EUR\nhosts:\n  - {name: off1, vcpus: 8, memory_gb: 32, location: XX, fixed: {monthly: 100}}\n")
                .hasPrefix("capacity/costs.yaml:3: hosts[0].location: no grid factor for 'XX'"))
        #expect(
            Self.problem("currency: EUR\nhosts:\n  - {name: off1, vcpus: 8, memory_gb: 32, location: FR, lifespan_years: -2, fixed: {monthly: 1}}\n")
                == "capacity/costs.yaml:3: hosts[0].lifespan_years: must be a number of years above 0")
    }
}
