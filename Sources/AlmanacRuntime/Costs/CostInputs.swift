import AlmanacAlerts
import AlmanacCatalog
import AlmanacCosts
import AlmanacMetrics
import Foundation

/// The series a stretch of cost reports reads, fetched once and cut into windows (a month, each
/// day of the history): each host's node_exporter CPU, RAPL and network counters, its services'
/// CPU and memory, the units-of-work counters and the grid's hourly intensity.
struct CostInputs: Sendable {
    struct ServiceSeries: Sendable {
        var service: String
        var cpu: [SeriesData]
        var memory: [SeriesData]
        /// Series of the whole service are shared evenly among its hosts.
        var divisor: Double
        var request: ServiceRequest?
    }

    struct HostSeries: Sendable {
        var idle: [SeriesData]
        var rapl: [SeriesData]
        var sent: [SeriesData]
        var grid: [SeriesData]
        var services: [ServiceSeries]
    }

    var hosts: [String: HostSeries] = [:]
    var units: [String: [SeriesData]] = [:]

    static func fetch(
        model: CostModel, catalog: Catalog, requests: [String: ServiceRequest], source: any SeriesSource, from: Int64, to: Int64
    ) async throws -> CostInputs {
        let usage = LoadUsage { source }
        var inputs = CostInputs()
        for host in model.hosts {
            var services: [ServiceSeries] = []
            for service in catalog.services where service.servers.contains(host.name) {
                let name = service.ref.name
                let own = Selector(name: nil, matchers: [.equal("service", name), .equal("host", host.name)])
                var cpu = try await usage.select(source, names: LoadUsage.cpuNames, matching: own, from: from, to: to)
                var memory = try await usage.select(source, names: LoadUsage.memoryNames, matching: own, from: from, to: to)
                var divisor = 1.0
                if cpu.isEmpty && memory.isEmpty {
                    let whole = Selector(name: nil, matchers: [.equal("service", name), .equal("host", "")])
                    cpu = try await usage.select(source, names: LoadUsage.cpuNames, matching: whole, from: from, to: to)
                    memory = try await usage.select(source, names: LoadUsage.memoryNames, matching: whole, from: from, to: to)
                    divisor = Double(max(1, service.servers.count))
                }
                services.append(ServiceSeries(service: name, cpu: cpu, memory: memory, divisor: divisor, request: requests[name]))
            }
            // The host's node_exporter: its own matchers from the file, or its name as `host`.
            let node = try host.node.map { try Selector($0) } ?? Selector(name: nil, matchers: [.equal("host", host.name)])
            let idle = try await source.select(node.named("node_cpu_seconds_total").adding([.equal("mode", "idle")]), from: from, to: to)
            var rapl: [SeriesData] = []
            for name in ["node_rapl_package_joules_total", "node_rapl_dram_joules_total"] {
                rapl += try await source.select(node.named(name), from: from, to: to)
            }
            let sent = try await source.select(
                node.named("node_network_transmit_bytes_total").adding([try Selector.Matcher("device", .notEqual, "lo")]), from: from, to: to)
            let grid = try await model.gridSeries[host.location].asyncMap { try await source.select(try Selector($0), from: from, to: to) } ?? []
            inputs.hosts[host.name] = HostSeries(idle: idle, rapl: rapl, sent: sent, grid: grid, services: services)
        }
        for unit in model.units { inputs.units[unit.service] = try await source.select(try Selector(unit.counter), from: from, to: to) }
        return inputs
    }

    /// What the hosts measured between `from` and `to`.
    func measurements(model: CostModel, from: Int64, to: Int64) -> [HostMeasurements] {
        model.hosts.map { host in
            guard let series = hosts[host.name] else { return HostMeasurements(host: host.name, utilization: nil, raplKWh: nil, demands: []) }
            let demands = series.services.map { s in
                HostAllocation.Demand(
                    service: s.service, cpuRequest: s.request?.cpu, cpuUsage: Counters.rate(s.cpu, from: from, to: to).map { $0 / s.divisor },
                    memoryRequestGB: s.request?.memoryGB,
                    memoryUsageGB: Counters.mean(Self.cut(s.memory, from, to)).map { $0 / 1_073_741_824 / s.divisor })
            }
            return HostMeasurements(
                host: host.name, utilization: Counters.busyShare(series.idle, from: from, to: to),
                raplKWh: Counters.increase(series.rapl, from: from, to: to).map { joules in joules / 3_600_000 },
                networkGB: Counters.increase(series.sent, from: from, to: to).map { bytes in bytes / 1e9 } ?? 0,
                demands: demands, gridGramsPerKWh: gridFactor(host, series: series, model: model, from: from, to: to))
        }
    }

    /// The grid's intensity hour by hour, weighted by the host's power in each hour (RAPL's
    /// joules, or CCF's watts at that hour's utilisation), so the busy hours count for more.
    func gridFactor(_ host: CostModel.Host, series: HostSeries, model: CostModel, from: Int64, to: Int64) -> Double? {
        guard !series.grid.isEmpty else { return nil }
        var weighted = 0.0
        var weights = 0.0
        for start in stride(from: from, to: to, by: 3_600_000) {
            let end = min(start + 3_600_000, to)
            // The hour's values, its end left out: that sample is the next hour's first.
            let values = Self.cut(series.grid, start, end - 1).flatMap(\.samples).map(\.value)
            guard !values.isEmpty else { continue }
            let intensity = values.reduce(0, +) / Double(values.count)
            let power: Double
            if let watts = Counters.rate(series.rapl, from: start, to: end) {
                power = watts
            } else {
                let busy = Counters.busyShare(series.idle, from: start, to: end) ?? 0
                let c = model.coefficients
                power = (c.minWatts + busy * (c.maxWatts - c.minWatts)) * host.vcpus + host.memoryGB * c.memoryKWhPerGBHour * 1000
            }
            weighted += power * intensity
            weights += power
        }
        return weights > 0 ? weighted / weights : nil
    }

    func units(from: Int64, to: Int64) -> [String: Double] {
        units.compactMapValues { Counters.increase($0, from: from, to: to) }
    }

    /// The samples from `from` to `to` (both included), found by bisection: a year's history is cut into days.
    static func cut(_ series: [SeriesData], _ from: Int64, _ to: Int64) -> [SeriesData] {
        series.map { one in
            let samples = one.samples
            let lower = samples.partitioningIndex { $0.timestamp >= from }
            let upper = samples.partitioningIndex { $0.timestamp > to }
            return SeriesData(name: one.name, labels: one.labels, samples: lower < upper ? Array(samples[lower..<upper]) : [])
        }
    }

}

extension Array {
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
