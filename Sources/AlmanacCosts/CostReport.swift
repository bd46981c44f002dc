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

    public init(host: String, utilization: Double?, raplKWh: Double?, networkGB: Double = 0, demands: [HostAllocation.Demand]) {
        self.host = host
        self.utilization = utilization
        self.raplKWh = raplKWh
        self.networkGB = networkGB
        self.demands = demands
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
        public var kilowattHours: Double
        public var measured: Bool
        public var operationalGrams: Double
        /// nil when the file gives no embodied emissions for the host.
        public var embodiedGrams: Double?
        public var utilization: Double?
        public var gridGramsPerKilowattHour: Double
    }

    public struct ServiceRow: Sendable, Codable {
        public var service: String
        public var cost: Double
        public var idleCost: Double
        public var kilowattHours: Double
        public var grams: Double
        /// True when a host lacked this service's usage: its share is a gap, not a zero.
        public var missingUsage: Bool
        public var units: Double?
        public var unitName: String?
        public var costPerThousand: Double?
        public var gramsPerThousand: Double?
    }

    public var currency: String
    public var hours: Double
    public var hosts: [HostRow]
    public var services: [ServiceRow]
    public var gridSource: String
    public var coefficientSource: String

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
            let prices: HourlyPrices
            switch host.payment {
            case .cloud(let cpu, let memory): prices = HourlyPrices(cpu: cpu, memory: memory)
            case .fixed, .donated: prices = .normalized(total: host.hourly, cpus: host.vcpus, memoryGB: host.memoryGB, base: model.basePrices)
            }
            let split = HostAllocation(
                host: host.name, hours: hours, cpus: host.vcpus, memoryGB: host.memoryGB, prices: prices, demands: measured.demands, rule: model.idle)
            // Without a CPU series, CCF's average utilisation would invent a figure: the estimate is
            // made at idle instead and the gap shows, `utilization` being nil.
            let energy = HostEnergy(
                vcpus: host.vcpus, utilization: measured.utilization ?? 0, memoryGB: host.memoryGB, ssdTB: host.ssdTB, hddTB: host.hddTB,
                networkGB: measured.networkGB, hours: hours, pue: host.pue, coefficients: model.coefficients, measuredKWh: measured.raplKWh)
            let grid = model.grid[host.location] ?? 0
            let emissions = Emissions(
                kWh: energy.kWh, gridGramsPerKWh: grid, embodiedKg: host.embodiedKg ?? 0, lifespanYears: host.lifespanYears, hours: hours)
            hostRows.append(
                HostRow(
                    host: host.name, payment: Self.describe(host.payment), cost: split.total, idle: split.idle, kilowattHours: energy.kWh,
                    measured: energy.measured,
                    operationalGrams: emissions.operational, embodiedGrams: host.embodiedKg == nil ? nil : emissions.embodied,
                    utilization: measured.utilization, gridGramsPerKilowattHour: grid))
            for share in split.shares {
                let fraction = split.total > 0 ? share.total / split.total : 0
                var row =
                    services[share.service]
                    ?? ServiceRow(service: share.service, cost: 0, idleCost: 0, kilowattHours: 0, grams: 0, missingUsage: false)
                row.cost += share.total
                row.idleCost += share.idleCost
                row.kilowattHours += energy.kWh * fraction
                row.grams += emissions.total * fraction
                row.missingUsage = row.missingUsage || share.missingUsage
                services[share.service] = row
            }
        }
        hosts = hostRows
        self.services = services.values.sorted { $0.cost > $1.cost }.map { row in
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

    static func describe(_ payment: CostModel.Payment) -> String {
        switch payment {
        case .cloud: "cloud, by the hour"
        case .fixed(let monthly): "fixed, \(ReportFormat.number(monthly)) a month"
        case .donated(let value, let years): "donated, worth \(ReportFormat.number(value)) over \(ReportFormat.number(years)) years"
        }
    }

    /// The hosts' table: the bill, idle, energy (measured or estimated) and emissions.
    public var hostTable: ReportTable {
        ReportTable(
            headers: ["Host", "Paid", "Cost (\(currency))", "Idle (\(currency))", "CPU busy", "kWh", "Energy", "kg CO2e", "Embodied kg CO2e"],
            rows: hosts.map { h in
                [
                    h.host, h.payment, Self.money(h.cost), Self.money(h.idle), h.utilization.map { "\(Int(($0 * 100).rounded()))%" } ?? "no data",
                    ReportFormat.number(h.kilowattHours), h.measured ? "measured (RAPL)" : "estimated", Self.kilograms(h.operationalGrams),
                    h.embodiedGrams.map(Self.kilograms) ?? "not given",
                ]
            })
    }

    /// The services' table: their share of cost and carbon, and per thousand units of work.
    public var serviceTable: ReportTable {
        let cents = Cents.split(services.map(\.cost) + [hosts.reduce(0) { $0 + $1.idle }], total: hosts.reduce(0) { $0 + $1.cost })
        return ReportTable(
            headers: ["Service", "Cost (\(currency))", "of which idle", "kWh", "kg CO2e", "Per 1000 units (\(currency))", "g CO2e per 1000 units"],
            rows: services.enumerated().map { index, s in
                // A service with no usage anywhere has no figures: a gap, not a zero.
                let gap = s.missingUsage && s.cost == 0
                return [
                    s.service + (s.missingUsage ? " (usage missing)" : ""), gap ? "no data" : Self.cents(cents[index]),
                    gap ? "no data" : Self.money(s.idleCost), gap ? "no data" : ReportFormat.number(s.kilowattHours),
                    gap ? "no data" : Self.kilograms(s.grams),
                    s.costPerThousand.map(Self.money) ?? "", s.gramsPerThousand.map(ReportFormat.number) ?? "",
                ]
            } + [["idle (not spread)", Self.cents(cents.last ?? 0), "", "", "", "", ""]])
    }

    static func money(_ value: Double) -> String { cents(Int((value * 100).rounded())) }
    static func cents(_ value: Int) -> String { "\(value / 100).\(String(format: "%02d", abs(value % 100)))" }
    static func kilograms(_ grams: Double) -> String { ReportFormat.number(grams / 1000) }
}
