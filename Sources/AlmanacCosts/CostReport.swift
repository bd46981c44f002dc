import AlmanacConfig
import AlmanacReporting
import Foundation

/// What the monitoring engine measured on a host over the window: the inputs of one report.
public struct HostMeasurements: Sendable, Hashable {
    public var host: String
    /// Average CPU busy share (0 to 1); nil when no CPU series was found (a gap).
    public var utilization: Double?
    /// Processor and memory energy a RAPL counter saw, before PUE.
    public var raplKWh: Double?
    public var networkGB: Double
    public var demands: [HostAllocation.Demand]
    /// The grid's intensity over the window weighted by the host's hourly power, when the team
    /// scrapes the grid's hourly values; nil to use the table's yearly factor.
    public var gridGramsPerKWh: Double?

    public init(
        host: String, utilization: Double?, raplKWh: Double?, networkGB: Double = 0, demands: [HostAllocation.Demand], gridGramsPerKWh: Double? = nil
    ) {
        self.host = host
        self.utilization = utilization
        self.raplKWh = raplKWh
        self.networkGB = networkGB
        self.demands = demands
        self.gridGramsPerKWh = gridGramsPerKWh
    }
}

/// Money by what it paid for. A host's are its bill's lines (storage includes backups); a
/// service's are its shares of them, its part of the idle cost spread in the host's ratio.
public struct MoneySplit: Sendable, Hashable, Codable {
    public var compute = 0.0
    public var memory = 0.0
    public var storage = 0.0
    public var network = 0.0
    public var total: Double { compute + memory + storage + network }

    static func + (a: MoneySplit, b: MoneySplit) -> MoneySplit {
        MoneySplit(compute: a.compute + b.compute, memory: a.memory + b.memory, storage: a.storage + b.storage, network: a.network + b.network)
    }
}

/// Grams of CO2e by where they came from: the energy of each part, and the hardware's manufacture.
public struct CarbonSplit: Sendable, Hashable, Codable {
    public var compute = 0.0
    public var memory = 0.0
    public var storage = 0.0
    public var network = 0.0
    public var embodied = 0.0
    public var total: Double { compute + memory + storage + network + embodied }

    func scaled(_ factor: Double) -> CarbonSplit {
        CarbonSplit(
            compute: compute * factor, memory: memory * factor, storage: storage * factor, network: network * factor, embodied: embodied * factor)
    }

    static func + (a: CarbonSplit, b: CarbonSplit) -> CarbonSplit {
        CarbonSplit(
            compute: a.compute + b.compute, memory: a.memory + b.memory, storage: a.storage + b.storage, network: a.network + b.network,
            embodied: a.embodied + b.embodied)
    }
}

/// A month (or any window) of cost and carbon: per host, the bill and the energy; per service,
/// its share of both (energy and emissions follow the cost shares, idle included), and per
/// thousand units of work where the service names a counter. Hosts' totals equal the services'
/// shares plus idle, to the cent.
public struct CostReport: Sendable, Codable {
    public struct HostRow: Sendable, Codable {
        public var host: String
        public var payment: String
        public var cost: Double
        public var idle: Double
        public var moneySplit: MoneySplit
        public var kilowattHours: Double
        public var measured: Bool
        public var operationalGrams: Double
        /// nil when the file gives no embodied emissions for the host.
        public var embodiedGrams: Double?
        public var carbonSplit: CarbonSplit
        public var utilization: Double?
        public var gridGramsPerKilowattHour: Double
        /// True when the grid's intensity came from a scraped series, hour by hour.
        public var gridFromSeries: Bool
        /// The previous window's figures, for month over month; nil when it had none.
        public var previousCost: Double?
        public var previousGrams: Double?
        /// Each service's part of this host: with `idle`, they make up `cost`.
        public var shares: [HostShare]
        public var grams: Double { carbonSplit.total }
    }

    public struct HostShare: Sendable, Codable {
        public var service: String
        public var cost: Double
        public var grams: Double
        public var missingUsage: Bool
    }

    public struct ServiceRow: Sendable, Codable {
        public var service: String
        public var cost: Double
        public var idleCost: Double
        public var moneySplit: MoneySplit
        public var kilowattHours: Double
        public var grams: Double
        public var carbonSplit: CarbonSplit
        /// True when a host lacked this service's usage: its share is a gap, not a zero.
        public var missingUsage: Bool
        public var units: Double?
        public var unitName: String?
        public var costPerThousand: Double?
        public var gramsPerThousand: Double?
        public var previousCost: Double?
        public var previousGrams: Double?
    }

    public var currency: String
    public var hours: Double
    public var hosts: [HostRow]
    public var services: [ServiceRow]
    public var gridSource: String
    public var coefficientSource: String
    /// Where the monthly figures are heading, when there is enough history.
    public var outlook: [CostOutlook] = []

    /// `units` are each service's units of work over the window (requests), where counted.
    public init(model: CostModel, measurements: [HostMeasurements], hours: Double, units: [String: Double]) {
        currency = model.currency
        self.hours = hours
        gridSource = GridFactors.source
        coefficientSource = EnergyCoefficients.source
        var hostRows: [HostRow] = []
        var services: [String: ServiceRow] = [:]
        for host in model.hosts {
            let measured =
                measurements.first { $0.host == host.name } ?? HostMeasurements(host: host.name, utilization: nil, raplKWh: nil, demands: [])
            let (row, shares) = Self.host(host, measured: measured, model: model, hours: hours)
            hostRows.append(row)
            for share in shares {
                var sum =
                    services[share.service]
                    ?? ServiceRow(
                        service: share.service, cost: 0, idleCost: 0, moneySplit: MoneySplit(), kilowattHours: 0, grams: 0,
                        carbonSplit: CarbonSplit(),
                        missingUsage: false)
                sum.cost += share.cost
                sum.idleCost += share.idleCost
                sum.moneySplit = sum.moneySplit + share.moneySplit
                sum.kilowattHours += share.kilowattHours
                sum.carbonSplit = sum.carbonSplit + share.carbonSplit
                sum.grams = sum.carbonSplit.total
                sum.missingUsage = sum.missingUsage || share.missingUsage
                services[share.service] = sum
            }
        }
        hosts = hostRows
        self.services = services.values.sorted { $0.cost != $1.cost ? $0.cost > $1.cost : $0.service < $1.service }.map { row in
            var row = row
            if let count = units[row.service], count > 0 {
                row.units = count
                row.unitName = model.units.first { $0.service == row.service }?.name
                row.costPerThousand = row.cost / count * 1000
                row.gramsPerThousand = row.grams / count * 1000
            }
            return row
        }
    }

    /// One host's row and its services' parts of it. Storage, backups and egress are spread like
    /// the CPU and memory shares (idle included), so the parts still add up to the host's total.
    static func host(_ host: CostModel.Host, measured: HostMeasurements, model: CostModel, hours: Double) -> (HostRow, [ServiceRow]) {
        let prices: HourlyPrices
        var extras = MoneySplit()
        switch host.payment {
        case .cloud(let cpu, let memory):
            prices = HourlyPrices(cpu: cpu, memory: memory)
            extras.storage = (host.ssdTB * model.ssdPerGBMonth + host.hddTB * model.hddPerGBMonth) * 1000 * hours / 730
            extras.network = measured.networkGB * model.egressPerGB
        case .fixed, .donated:
            // The price of a whole machine already pays for its disks and its bandwidth.
            prices = .normalized(total: host.hourly, cpus: host.vcpus, memoryGB: host.memoryGB, base: model.basePrices)
        }
        extras.storage += host.backupGB * model.backupPerGBMonth * hours / 730
        let split = HostAllocation(
            host: host.name, hours: hours, cpus: host.vcpus, memoryGB: host.memoryGB, prices: prices, demands: measured.demands, rule: model.idle)
        // Without a CPU series, CCF's average utilisation would invent a figure: the estimate is
        // made at idle instead and the gap shows, `utilization` being nil.
        let energy = HostEnergy(
            vcpus: host.vcpus, utilization: measured.utilization ?? 0, memoryGB: host.memoryGB, ssdTB: host.ssdTB, hddTB: host.hddTB,
            networkGB: measured.networkGB, hours: hours, pue: host.pue, coefficients: model.coefficients, measuredKWh: measured.raplKWh)
        let grid = measured.gridGramsPerKWh ?? model.grid[host.location] ?? 0
        let embodied = Emissions(kWh: 0, gridGramsPerKWh: 0, embodiedKg: host.embodiedKg ?? 0, lifespanYears: host.lifespanYears, hours: hours)
        let carbon = CarbonSplit(
            compute: energy.compute * grid, memory: energy.memory * grid, storage: energy.storage * grid, network: energy.network * grid,
            embodied: embodied.embodied)
        let hostCompute = host.vcpus * prices.cpu * hours
        let hostMemory = host.memoryGB * prices.memory * hours
        let computeShare = split.total > 0 ? hostCompute / split.total : 0.5
        var idle = split.idle
        if split.total > 0 { idle += extras.total * split.idle / split.total } else { idle += extras.total }
        var row = HostRow(
            host: host.name, payment: Self.describe(host.payment), cost: split.total + extras.total, idle: idle,
            moneySplit: MoneySplit(compute: hostCompute, memory: hostMemory, storage: extras.storage, network: extras.network),
            kilowattHours: energy.kWh, measured: energy.measured, operationalGrams: carbon.total - carbon.embodied,
            embodiedGrams: host.embodiedKg == nil ? nil : carbon.embodied, carbonSplit: carbon, utilization: measured.utilization,
            gridGramsPerKilowattHour: grid, gridFromSeries: measured.gridGramsPerKWh != nil, shares: [])
        let shares = split.shares.map { share in
            let fraction = split.total > 0 ? share.total / split.total : 0
            let money = MoneySplit(
                compute: share.cpuCost + share.idleCost * computeShare, memory: share.memoryCost + share.idleCost * (1 - computeShare),
                storage: extras.storage * fraction, network: extras.network * fraction)
            return ServiceRow(
                service: share.service, cost: money.total, idleCost: share.idleCost, moneySplit: money, kilowattHours: energy.kWh * fraction,
                grams: carbon.total * fraction, carbonSplit: carbon.scaled(fraction), missingUsage: share.missingUsage)
        }
        row.shares = shares.map { HostShare(service: $0.service, cost: $0.cost, grams: $0.grams, missingUsage: $0.missingUsage) }
        return (row, shares)
    }

    /// Fills in the previous window's figures, for month over month.
    public mutating func compare(with previous: CostReport) {
        for index in hosts.indices {
            guard let old = previous.hosts.first(where: { $0.host == hosts[index].host }) else { continue }
            hosts[index].previousCost = old.cost
            hosts[index].previousGrams = old.grams
        }
        for index in services.indices {
            let old = previous.services.first { $0.service == services[index].service }
            // A service that had no usage before is new this window, whatever it would have cost.
            let known = old.map { !($0.missingUsage && $0.cost == 0) } ?? false
            services[index].previousCost = known ? old?.cost : 0
            services[index].previousGrams = known ? old?.grams : 0
        }
    }

    static func describe(_ payment: CostModel.Payment) -> String {
        switch payment {
        case .cloud: "cloud, by the hour"
        case .fixed(let monthly): "fixed, \(ReportFormat.number(monthly)) a month"
        case .donated(let value, let years): "donated, worth \(ReportFormat.number(value)) over \(ReportFormat.number(years)) years"
        }
    }
}
