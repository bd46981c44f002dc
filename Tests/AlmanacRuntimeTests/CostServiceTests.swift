import AlmanacCatalog
import AlmanacConfig
import AlmanacCosts
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import Testing

/// A month's report over ten hours of real stored series: a fixed-price host whose two CPUs
/// are half idle by node_exporter's counters, a cloud host with a RAPL counter at a steady
/// 100 W, a donated host whose only service reports nothing. Every host's services plus its
/// idle equal its bill, to the cent; energy follows the measured utilisation or the counter.
@Suite struct CostServiceTests {
    static let catalog = """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: team}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: search}
        spec: {type: service, lifecycle: production, owner: team, servers: [off1, off2]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: images}
        spec: {type: service, lifecycle: production, owner: team, servers: [off2]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata: {name: db}
        spec: {type: database, owner: team, servers: [off3]}
        """

    static let costs = """
        currency: EUR
        hosts:
          - {name: off1, vcpus: 2, memory_gb: 8, location: FR, pue: 1.5, fixed: {monthly: 73}, embodied_kg: 876, lifespan_years: 1}
          - {name: off2, vcpus: 4, memory_gb: 16, location: DE, pue: 1.2, cloud: {per_vcpu_hour: 0.02, per_gb_hour: 0.005}}
          - {name: off3, vcpus: 2, memory_gb: 4, location: SE, donated: {value: 876, lifespan_years: 1}}
        units:
          search: {counter: 'search_requests_total{service="search"}'}
        """

    @Test func servicesPlusIdleEqualEachHostToTheCent() async throws {
        let config = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: config + "/catalog", withIntermediateDirectories: true)
        try Self.catalog.write(toFile: config + "/catalog/all.yaml", atomically: true, encoding: .utf8)
        let catalog = try CatalogFiles.load(configDirectory: config)
        let model = try CostsFile.parse(
            try ConfigDocument.parse(Self.costs, file: CostsFile.path), knownHosts: Set(catalog.entities.values.flatMap(\.servers)),
            grid: GridFactors.table)
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: Logger(label: "test"))
        let store = SQLSeriesStore(database: database)
        let heads = SeriesHeads(store: store)
        let hour: Int64 = 3_600_000
        let from = (WallClock.system.milliseconds() / hour - 12) * hour
        let to = from + 10 * hour
        var samples: [(name: String, labels: [Label], sample: Sample)] = []
        for minute in 0...600 {
            let t = from + Int64(minute) * 60_000
            let seconds = Double(minute * 60)
            for cpu in ["0", "1"] {
                samples.append(
                    (
                        "node_cpu_seconds_total", [Label("cpu", cpu), Label("host", "off1"), Label("mode", "idle")],
                        Sample(timestamp: t, value: seconds / 2)
                    ))
            }
            samples.append(
                ("node_rapl_package_joules_total", [Label("host", "off2"), Label("zone", "package-0")], Sample(timestamp: t, value: seconds * 100)))
            samples.append(
                ("process_cpu_seconds_total", [Label("host", "off1"), Label("service", "search")], Sample(timestamp: t, value: seconds / 2)))
            samples.append(
                (
                    "process_resident_memory_bytes", [Label("host", "off1"), Label("service", "search")],
                    Sample(timestamp: t, value: 2 * 1_073_741_824)
                ))
            samples.append(("process_cpu_seconds_total", [Label("service", "images")], Sample(timestamp: t, value: seconds)))
            samples.append(("process_resident_memory_bytes", [Label("service", "images")], Sample(timestamp: t, value: 4 * 1_073_741_824)))
            samples.append(("search_requests_total", [Label("service", "search")], Sample(timestamp: t, value: seconds / 3.6)))
        }
        _ = try await heads.append(samples)
        try await heads.flush()
        let report = try await CostService { StoredSeriesSource(store: store, steps: []) }.report(model: model, catalog: catalog, from: from, to: to)

        let off1 = try #require(report.hosts.first { $0.host == "off1" })
        #expect(abs(off1.cost - 1.0) < 1e-9, "73 a month is 0.1 an hour")
        #expect(off1.utilization.map { abs($0 - 0.5) < 1e-9 } == true)
        // (0.74 + 0.5 × 2.76) W × 2 vCPUs × 10 h × 1.5 = 63.6 Wh; 8 GB × 10 h × 0.392 Wh × 1.5 = 47.04 Wh.
        #expect(abs(off1.kilowattHours - 0.11064) < 1e-9 && !off1.measured)
        #expect(off1.embodiedGrams.map { abs($0 - 1000) < 1e-6 } == true, "876 kg over 8,760 h, 10 h of it")
        let off2 = try #require(report.hosts.first { $0.host == "off2" })
        #expect(off2.measured && abs(off2.kilowattHours - 1.2) < 1e-9, "100 W for 10 h, times PUE 1.2")
        let off3 = try #require(report.hosts.first { $0.host == "off3" })
        #expect(off3.utilization == nil && abs(off3.idle - off3.cost) < 1e-9, "nothing known runs there: all idle, shown")
        #expect(report.services.first { $0.service == "db" }?.missingUsage == true)
        #expect(report.services.first { $0.service == "images" }?.missingUsage == false)
        // search reports only from off1 (its series say host=off1): on off2 it is a gap.
        #expect(report.services.first { $0.service == "search" }?.missingUsage == true)

        // Reconciliation: services plus idle equal the hosts' totals, in cents as printed.
        let total = report.hosts.reduce(0) { $0 + $1.cost }
        #expect(abs(report.services.reduce(0) { $0 + $1.cost } + report.hosts.reduce(0) { $0 + $1.idle } - total) < 1e-9)
        let printed = report.serviceTable.rows.compactMap { Int($0[1].replacingOccurrences(of: ".", with: "")) }.reduce(0, +)
        #expect(report.serviceTable.rows.first { $0[0].hasPrefix("db") }?[1] == "no data")
        #expect(printed == Int((total * 100).rounded()))
        let search = try #require(report.services.first { $0.service == "search" })
        #expect(search.units.map { abs($0 - 10_000) < 1e-6 } == true)
        #expect(search.costPerThousand.map { abs($0 - search.cost / 10) < 1e-9 } == true)
        try await database.close()
    }
}
