/// One host's cost over a window shared among the services on it, OpenCost's model: each
/// service pays for max(request, usage) of CPU and memory at the host's hourly prices; what no
/// service holds is idle, shown, and spread over the services by the chosen rule. The shares
/// plus idle always equal the host's total.
public struct HostAllocation: Sendable, Hashable, Codable {
    public enum IdleRule: String, Sendable, Codable, CaseIterable {
        /// In proportion to each service's allocated cost (OpenCost's default).
        case proportional
        /// The same for every service.
        case even
        /// Kept apart as the host's idle cost.
        case none
    }

    /// What a service held on the host, averaged over the window.
    public struct Demand: Sendable, Hashable, Codable {
        public var service: String
        public var cpuRequest: Double?
        public var cpuUsage: Double?
        public var memoryRequestGB: Double?
        public var memoryUsageGB: Double?

        public init(service: String, cpuRequest: Double? = nil, cpuUsage: Double? = nil, memoryRequestGB: Double? = nil, memoryUsageGB: Double? = nil)
        {
            self.service = service
            self.cpuRequest = cpuRequest
            self.cpuUsage = cpuUsage
            self.memoryRequestGB = memoryRequestGB
            self.memoryUsageGB = memoryUsageGB
        }

        /// nil when neither a request nor a usage is known: a gap, never zero.
        var cpu: Double? { max(cpuRequest, cpuUsage) }
        var memoryGB: Double? { max(memoryRequestGB, memoryUsageGB) }

        private func max(_ a: Double?, _ b: Double?) -> Double? {
            switch (a, b) {
            case (let a?, let b?): Swift.max(a, b)
            case (let a?, nil): a
            case (nil, let b?): b
            case (nil, nil): nil
            }
        }
    }

    public struct Share: Sendable, Hashable, Codable {
        public var service: String
        public var cpuCost: Double
        public var memoryCost: Double
        /// The part of the host's idle cost given to this service by the rule.
        public var idleCost: Double
        /// True when the service's usage was not known for CPU or memory (shown as a gap).
        public var missingUsage: Bool
        public var total: Double { cpuCost + memoryCost + idleCost }
    }

    public var host: String
    public var hours: Double
    public var total: Double
    public var shares: [Share]
    /// What no service held and the rule did not spread (all of it with `.none`).
    public var idle: Double
    /// What no service held, before spreading.
    public var unallocated: Double

    public init(host: String, hours: Double, cpus: Double, memoryGB: Double, prices: HourlyPrices, demands: [Demand], rule: IdleRule) {
        self.host = host
        self.hours = hours
        total = (cpus * prices.cpu + memoryGB * prices.memory) * hours
        // A host asked for more than it has is charged what it has: the shares are scaled down.
        let cpuAsked = demands.compactMap(\.cpu).reduce(0, +)
        let memoryAsked = demands.compactMap(\.memoryGB).reduce(0, +)
        let cpuScale = cpuAsked > cpus ? cpus / cpuAsked : 1
        let memoryScale = memoryAsked > memoryGB ? memoryGB / memoryAsked : 1
        var shares = demands.map { demand in
            Share(
                service: demand.service, cpuCost: (demand.cpu ?? 0) * cpuScale * prices.cpu * hours,
                memoryCost: (demand.memoryGB ?? 0) * memoryScale * prices.memory * hours, idleCost: 0,
                missingUsage: demand.cpu == nil || demand.memoryGB == nil)
        }
        let allocated = shares.reduce(0) { $0 + $1.cpuCost + $1.memoryCost }
        unallocated = total - allocated
        idle = unallocated
        guard !shares.isEmpty, unallocated > 0 else {
            self.shares = shares
            return
        }
        switch rule {
        case .none: break
        case .even:
            for index in shares.indices { shares[index].idleCost = unallocated / Double(shares.count) }
            idle = 0
        case .proportional:
            guard allocated > 0 else { break }
            for index in shares.indices { shares[index].idleCost = unallocated * (shares[index].cpuCost + shares[index].memoryCost) / allocated }
            idle = 0
        }
        self.shares = shares
    }
}

/// Amounts in cents that add up: each rounded down, the cents left over given to the largest
/// remainders (Hamilton's method), so a report's rows always sum to its rounded total.
public enum Cents {
    public static func split(_ amounts: [Double], total: Double) -> [Int] {
        let target = Int((total * 100).rounded())
        let exact = amounts.map { $0 * 100 }
        var cents = exact.map { Int($0.rounded(.down)) }
        var left = target - cents.reduce(0, +)
        for index in exact.indices.sorted(by: { exact[$0] - Double(cents[$0]) > exact[$1] - Double(cents[$1]) }) where left > 0 {
            cents[index] += 1
            left -= 1
        }
        return cents
    }
}
