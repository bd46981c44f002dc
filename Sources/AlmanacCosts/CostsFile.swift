import AlmanacConfig

/// `capacity/costs.yaml`: the hosts with how each is paid for and what it is made of, the
/// prices of storage, backup and egress, the grid factors and energy coefficients to use, and
/// each service's unit of work.
public struct CostModel: Sendable {
    public enum Payment: Sendable, Hashable {
        case cloud(perVCPUHour: Double, perGBHour: Double)
        case fixed(monthly: Double)
        case donated(value: Double, lifespanYears: Double)
    }

    public struct Host: Sendable, Hashable {
        public var name: String
        public var payment: Payment
        public var vcpus: Double
        public var memoryGB: Double
        public var ssdTB: Double
        public var hddTB: Double
        /// Country or grid region, a key of the grid table.
        public var location: String
        public var pue: Double
        /// The hardware's manufacturing emissions; nil when the file does not say (shown as a gap).
        public var embodiedKg: Double?
        public var lifespanYears: Double
        /// Label matchers of the host's node_exporter series: `{instance="ovh1:9100"}`; nil
        /// selects them by `host`, the host's name.
        public var node: String?
        /// Backups of the host's data kept elsewhere, billed at the backup price.
        public var backupGB: Double
        public var line: Int

        /// The host's cost per hour, whatever the way it is paid for (730 hours a month).
        public var hourly: Double {
            switch payment {
            case .cloud(let cpu, let memory): vcpus * cpu + memoryGB * memory
            case .fixed(let monthly): monthly / 730
            case .donated(let value, let years): value / (years * 8760)
            }
        }
    }

    public struct Unit: Sendable, Hashable {
        public var service: String
        /// A counter selector: `http_requests_total{service="search"}`.
        public var counter: String
        public var name: String
    }

    public var currency: String
    public var idle: HostAllocation.IdleRule
    public var basePrices: HourlyPrices
    public var coefficients: EnergyCoefficients
    public var grid: [String: Double]
    /// Selectors of hourly grid intensity (g/kWh) by location, for teams that scrape one.
    public var gridSeries: [String: String]
    public var hosts: [Host]
    public var units: [Unit]
    public var ssdPerGBMonth: Double
    public var hddPerGBMonth: Double
    public var backupPerGBMonth: Double
    public var egressPerGB: Double
}

public enum CostsFile {
    public static let path = "capacity/costs.yaml"

    /// `knownHosts` are the catalogue's servers (nil when the catalogue is not at hand);
    /// `grid` the shipped table of grid factors, which the file may extend or override.
    public static func parse(_ root: ConfigNode, knownHosts: Set<String>?, grid shipped: [String: Double]) throws(ConfigError) -> CostModel {
        try root.onlyFields([
            "currency", "idle", "base_prices", "coefficients", "grid", "grid_series", "hosts", "units", "storage", "egress_per_gb",
        ])
        guard let hostNodes = root["hosts"]?.elements, !hostNodes.isEmpty else { throw root.error("missing 'hosts' (a list)") }
        guard let currency = root["currency"]?.string, currency.count == 3, currency.allSatisfy(\.isUppercase) else {
            throw (root["currency"] ?? root).error("missing 'currency' (an ISO code such as EUR): every price is in it")
        }
        var idle = HostAllocation.IdleRule.proportional
        if let node = root["idle"] {
            guard let rule = node.string.flatMap(HostAllocation.IdleRule.init(rawValue:)) else {
                throw node.error("must be proportional, even or none")
            }
            idle = rule
        }
        var grid = shipped
        if let node = root["grid"] {
            for member in node.members ?? [] {
                guard let value = try ConfigNumber.read(member.value), value >= 0 else {
                    throw member.value.error("must be grams of CO2e per kWh, at least 0")
                }
                grid[member.key] = value
            }
        }
        var gridSeries: [String: String] = [:]
        for member in root["grid_series"]?.members ?? [] {
            guard let selector = member.value.string, !selector.isEmpty else {
                throw member.value.error("must be a selector of the grid's intensity in g/kWh, such as grid_intensity{zone=\"FR\"}")
            }
            gridSeries[member.key] = selector
        }
        var base = HourlyPrices.openCostDefaults
        if let node = root["base_prices"] {
            try node.onlyFields(["cpu", "memory"])
            base = HourlyPrices(cpu: try positive(node["cpu"]) ?? base.cpu, memory: try positive(node["memory"]) ?? base.memory)
        }
        var coefficients = EnergyCoefficients.cloudCarbonFootprint
        if let node = root["coefficients"] {
            try node.onlyFields([
                "min_watts", "max_watts", "memory_kwh_per_gb_hour", "ssd_wh_per_tb_hour", "hdd_wh_per_tb_hour", "network_kwh_per_gb",
            ])
            coefficients.minWatts = try positive(node["min_watts"]) ?? coefficients.minWatts
            coefficients.maxWatts = try positive(node["max_watts"]) ?? coefficients.maxWatts
            coefficients.memoryKWhPerGBHour = try positive(node["memory_kwh_per_gb_hour"]) ?? coefficients.memoryKWhPerGBHour
            coefficients.ssdWhPerTBHour = try positive(node["ssd_wh_per_tb_hour"]) ?? coefficients.ssdWhPerTBHour
            coefficients.hddWhPerTBHour = try positive(node["hdd_wh_per_tb_hour"]) ?? coefficients.hddWhPerTBHour
            coefficients.networkKWhPerGB = try positive(node["network_kwh_per_gb"]) ?? coefficients.networkKWhPerGB
            guard coefficients.maxWatts >= coefficients.minWatts else { throw node.error("max_watts must be at least min_watts") }
        }
        var hosts: [CostModel.Host] = []
        for node in hostNodes {
            let host = try self.host(node, grid: grid)
            if let knownHosts, !knownHosts.contains(host.name) {
                throw node["name"]!.error(
                    "unknown host '\(host.name)' (not a Resource of the catalogue: \(knownHosts.sorted().joined(separator: ", ")))")
            }
            if hosts.contains(where: { $0.name == host.name }) { throw node["name"]!.error("a second host named '\(host.name)'") }
            hosts.append(host)
        }
        var units: [CostModel.Unit] = []
        for member in root["units"]?.members ?? [] {
            try member.value.onlyFields(["counter", "name"])
            guard let counter = member.value["counter"]?.string else { throw member.value.error("missing 'counter' (a request counter selector)") }
            units.append(.init(service: member.key, counter: counter, name: member.value["name"]?.string ?? "requests"))
        }
        let storage = root["storage"]
        if let storage { try storage.onlyFields(["ssd_per_gb_month", "hdd_per_gb_month", "backup_per_gb_month"]) }
        return CostModel(
            currency: currency, idle: idle, basePrices: base, coefficients: coefficients, grid: grid, gridSeries: gridSeries, hosts: hosts,
            units: units,
            ssdPerGBMonth: try nonNegative(storage?["ssd_per_gb_month"]) ?? 0, hddPerGBMonth: try nonNegative(storage?["hdd_per_gb_month"]) ?? 0,
            backupPerGBMonth: try nonNegative(storage?["backup_per_gb_month"]) ?? 0, egressPerGB: try nonNegative(root["egress_per_gb"]) ?? 0)
    }

    static func host(_ node: ConfigNode, grid: [String: Double]) throws(ConfigError) -> CostModel.Host {
        try node.onlyFields([
            "name", "vcpus", "memory_gb", "disks", "location", "pue", "embodied_kg", "lifespan_years", "cloud", "fixed", "donated", "node",
            "backup_gb",
        ])
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name' (a server of the catalogue)") }
        guard let vcpus = try positive(node["vcpus"]) else { throw node.error("missing 'vcpus'") }
        guard let memory = try positive(node["memory_gb"]) else { throw node.error("missing 'memory_gb'") }
        guard let locationNode = node["location"], let location = locationNode.string else {
            throw node.error("missing 'location' (a country or grid region)")
        }
        guard grid[location] != nil else {
            throw locationNode.error("no grid factor for '\(location)': add it under 'grid:' in grams of CO2e per kWh, with its source")
        }
        let lifespan = try ConfigNumber.read(node["lifespan_years"]) ?? 4
        guard lifespan > 0 else { throw node["lifespan_years"]!.error("must be a number of years above 0") }
        let payments = ["cloud", "fixed", "donated"].filter { node[$0] != nil }
        guard payments.count == 1 else { throw node.error("needs exactly one of 'cloud', 'fixed' or 'donated' (how the host is paid for)") }
        let payment: CostModel.Payment
        switch payments[0] {
        case "cloud":
            let cloud = node["cloud"]!
            try cloud.onlyFields(["per_vcpu_hour", "per_gb_hour"])
            guard let cpu = try nonNegative(cloud["per_vcpu_hour"]), let gb = try nonNegative(cloud["per_gb_hour"]) else {
                throw cloud.error("needs 'per_vcpu_hour' and 'per_gb_hour'")
            }
            payment = .cloud(perVCPUHour: cpu, perGBHour: gb)
        case "fixed":
            let fixed = node["fixed"]!
            try fixed.onlyFields(["monthly"])
            guard let monthly = try nonNegative(fixed["monthly"]) else { throw fixed.error("needs 'monthly' (the price a month)") }
            payment = .fixed(monthly: monthly)
        default:
            let donated = node["donated"]!
            try donated.onlyFields(["value", "lifespan_years"])
            guard let value = try nonNegative(donated["value"]) else { throw donated.error("needs 'value' (what the hardware is worth)") }
            let years = try ConfigNumber.read(donated["lifespan_years"]) ?? lifespan
            guard years > 0 else { throw (donated["lifespan_years"] ?? donated).error("must be a number of years above 0") }
            payment = .donated(value: value, lifespanYears: years)
        }
        var ssd = 0.0
        var hdd = 0.0
        for disk in node["disks"]?.elements ?? [] {
            try disk.onlyFields(["kind", "tb"])
            guard let tb = try positive(disk["tb"]) else { throw disk.error("needs 'tb' (its size in terabytes)") }
            switch disk["kind"]?.string {
            case "ssd": ssd += tb
            case "hdd": hdd += tb
            default: throw (disk["kind"] ?? disk).error("must be ssd or hdd")
            }
        }
        let pue = try ConfigNumber.read(node["pue"]) ?? 1.5
        guard pue >= 1 else { throw node["pue"]!.error("must be at least 1 (a data centre uses at least what its servers do)") }
        return CostModel.Host(
            name: name, payment: payment, vcpus: vcpus, memoryGB: memory, ssdTB: ssd, hddTB: hdd, location: location, pue: pue,
            embodiedKg: try nonNegative(node["embodied_kg"]), lifespanYears: lifespan, node: try matchers(node["node"]),
            backupGB: try nonNegative(node["backup_gb"]) ?? 0, line: node.line)
    }

    static func matchers(_ node: ConfigNode?) throws(ConfigError) -> String? {
        guard let node else { return nil }
        guard let text = node.string, text.hasPrefix("{"), text.hasSuffix("}") else {
            throw node.error("must be label matchers such as {instance=\"ovh1:9100\"}")
        }
        return text
    }

    static func positive(_ node: ConfigNode?) throws(ConfigError) -> Double? {
        guard let value = try ConfigNumber.read(node) else { return nil }
        guard value > 0 else { throw node!.error("must be above 0") }
        return value
    }

    static func nonNegative(_ node: ConfigNode?) throws(ConfigError) -> Double? {
        guard let value = try ConfigNumber.read(node) else { return nil }
        guard value >= 0 else { throw node!.error("must be at least 0") }
        return value
    }
}
