import AlmanacAlerts
import AlmanacCatalog
import AlmanacCosts
import AlmanacMetrics
import Foundation

/// A window's cost and carbon from what the monitoring engine stored: each host's CPU
/// utilisation from node_exporter's idle counters (its RAPL counters, when scraped, for the
/// energy itself), each service's CPU and memory from its process or container series, and its
/// units of work from the counters `capacity/costs.yaml` names.
public struct CostService: Sendable {
    let source: @Sendable () async throws -> any SeriesSource

    public init(source: @escaping @Sendable () async throws -> any SeriesSource) { self.source = source }

    public func report(model: CostModel, catalog: Catalog, from: Int64, to: Int64) async throws -> CostReport {
        let source = try await source()
        let usage = LoadUsage(settleSeconds: 0) { source }
        var measurements: [HostMeasurements] = []
        for host in model.hosts {
            let services = catalog.services.filter { $0.servers.contains(host.name) }
            var demands: [HostAllocation.Demand] = []
            for service in services {
                let name = service.ref.name
                let hostsOfService = max(1, service.servers.count)
                // Series that say which host they came from are used as they are; series of the
                // whole service are shared evenly among its hosts.
                var cpu = try await usage.select(
                    source, names: LoadUsage.cpuNames.map { ($0, "") }, matchers: "{service=\"\(name)\",host=\"\(host.name)\"}", from: from, to: to)
                var memory = try await usage.select(
                    source, names: LoadUsage.memoryNames, matchers: "{service=\"\(name)\",host=\"\(host.name)\"}", from: from, to: to)
                var divisor = 1.0
                if cpu.isEmpty && memory.isEmpty {
                    let whole = "{service=\"\(name)\",host=\"\"}"
                    cpu = try await usage.select(source, names: LoadUsage.cpuNames.map { ($0, "") }, matchers: whole, from: from, to: to)
                    memory = try await usage.select(source, names: LoadUsage.memoryNames, matchers: whole, from: from, to: to)
                    divisor = Double(hostsOfService)
                }
                demands.append(
                    HostAllocation.Demand(
                        service: name, cpuUsage: Self.rate(cpu).map { $0 / divisor },
                        memoryUsageGB: Self.mean(memory).map { $0 / 1_073_741_824 / divisor }))
            }
            let idle = try await source.select(
                try Selector("node_cpu_seconds_total" + Self.adding("mode=\"idle\"", to: host.node)), from: from, to: to)
            var rapl: [SeriesData] = []
            for name in ["node_rapl_package_joules_total", "node_rapl_dram_joules_total"] {
                rapl += try await source.select(try Selector(name + host.node), from: from, to: to)
            }
            let sent = try await source.select(
                try Selector("node_network_transmit_bytes_total" + Self.adding("device!=\"lo\"", to: host.node)), from: from, to: to)
            let window = Double(to - from) / 1000
            measurements.append(
                HostMeasurements(
                    host: host.name, utilization: Self.rate(idle).map { max(0, min(1, 1 - $0 / Double(idle.count))) },
                    raplKWh: Self.increase(rapl).map { joules, covered in joules / 3_600_000 * window / covered },
                    networkGB: Self.increase(sent).map { bytes, covered in bytes / 1e9 * window / covered } ?? 0, demands: demands))
        }
        var units: [String: Double] = [:]
        for unit in model.units {
            units[unit.service] = try await Self.increase(source.select(try Selector(unit.counter), from: from, to: to)).map { $0.0 }
        }
        return CostReport(model: model, measurements: measurements, hours: Double(to - from) / 3_600_000, units: units)
    }

    static func adding(_ matcher: String, to matchers: String) -> String {
        let inner = matchers.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        return "{" + ([matcher] + (inner.isEmpty ? [] : [inner])).joined(separator: ",") + "}"
    }

    /// The counters' growth (resets count from zero) and the seconds their samples cover, summed.
    static func increase(_ series: [SeriesData]) -> (Double, Double)? {
        var total = 0.0
        var covered = 0.0
        for one in series {
            for (a, b) in zip(one.samples, one.samples.dropFirst()) where b.timestamp > a.timestamp {
                total += b.value >= a.value ? b.value - a.value : b.value
            }
            if let first = one.samples.first, let last = one.samples.last { covered = max(covered, Double(last.timestamp - first.timestamp) / 1000) }
        }
        return covered > 0 ? (total, covered) : nil
    }

    /// Average per-second growth of the counters added together (cores for CPU seconds).
    static func rate(_ series: [SeriesData]) -> Double? {
        var sum = 0.0
        var found = false
        for one in series {
            guard let (growth, covered) = increase([one]) else { continue }
            sum += growth / covered
            found = true
        }
        return found ? sum : nil
    }

    static func mean(_ series: [SeriesData]) -> Double? {
        let means = series.compactMap { one in one.samples.isEmpty ? nil : one.samples.reduce(0) { $0 + $1.value } / Double(one.samples.count) }
        return means.isEmpty ? nil : means.reduce(0, +)
    }
}
