import AlmanacCatalog
import AlmanacConfig
import AlmanacCosts
import AlmanacRuntime
import AlmanacTesting
import Foundation
import Testing

/// The bundled example's costs: on every host, whether cloud, fixed price or donated, its
/// services' shares plus its idle equal its bill, unrounded and to the cent as printed.
@Suite struct CostExampleTests {
    static var example: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/openfoodfacts").path
    }

    @Test func servicesPlusIdleEqualEveryHostToTheCent() throws {
        let catalog = try CatalogFiles.load(configDirectory: Self.example)
        let text = try ConfigFolder.read(root: Self.example, file: CostsFile.path)
        let model = try CostsFile.parse(
            try ConfigDocument.parse(text, file: CostsFile.path), knownHosts: Set(catalog.entities.values.flatMap(\.servers)), grid: GridFactors.table
        )
        // Each service uses a different odd amount; every third reports nothing (a gap).
        var measurements: [HostMeasurements] = []
        for (index, host) in model.hosts.enumerated() {
            let services = catalog.services.filter { $0.servers.contains(host.name) }.map(\.ref.name)
            let demands = services.enumerated().map { n, name in
                n % 3 == 2
                    ? HostAllocation.Demand(service: name)
                    : HostAllocation.Demand(service: name, cpuUsage: 0.37 * Double(n + 1), memoryUsageGB: 1.3 * Double(n + index + 1))
            }
            measurements.append(HostMeasurements(host: host.name, utilization: 0.31, raplKWh: nil, networkGB: 123.4, demands: demands))
        }
        let report = CostReport(model: model, measurements: measurements, hours: 730, units: [:])
        #expect(Set(model.hosts.map { "\($0.payment)".prefix(4) }) == ["clou", "fixe", "dona"], "every kind of host is in the example")
        for host in report.hosts {
            let shares = host.shares.map(\.cost)
            #expect(abs(shares.reduce(0, +) + host.idle - host.cost) < 1e-9, "\(host.host)")
            #expect(Cents.split(shares + [host.idle], total: host.cost).reduce(0, +) == Int((host.cost * 100).rounded()), "\(host.host)")
            #expect(abs(host.moneySplit.total - host.cost) < 1e-9 && abs(host.carbonSplit.total - host.grams) < 1e-9)
        }
        // Fixed-price hosts cost their price: ovh1's 290 a month, its disks and bandwidth included, plus 2000 GB of backups at 0.004.
        #expect(abs((report.hosts.first { $0.host == "ovh1" }?.cost ?? 0) - 298) < 1e-9)
        // off2 is billed by the hour: 16 × 0.012 + 64 × 0.0016 = 0.2944 an hour, 500 GB of SSD at 0.08, 300 GB of backups at
        // 0.004 and 123.4 GB of egress at 0.01: 214.912 + 40 + 1.2 + 1.234.
        #expect(abs((report.hosts.first { $0.host == "off2" }?.cost ?? 0) - 257.346) < 1e-9)
        let markdown = report.markdown(title: "Cost and carbon")
        #expect(markdown.contains("## Hosts") && markdown.contains("## Where it goes") && markdown.contains("| ovh1 | fixed, 290 a month |"))
    }

    /// Requests come from the workloads' files: a service pays for what it asks even when it uses less.
    @Test func requestsFromTheCapacityFilesAreCharged() throws {
        let config = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: config + "/capacity", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: config + "/deploy", withIntermediateDirectories: true)
        try """
        workloads:
          - {name: search, service: search, file: deploy/search.yaml, kind: kubernetes, container: search}
          - {name: search-worker, service: search, file: deploy/compose.yaml, kind: compose, container: worker}
          - {name: web, service: web}
        """.write(toFile: config + "/" + "capacity/resources.yaml", atomically: true, encoding: .utf8)
        try "spec:\n  containers:\n    - name: search\n      resources: {requests: {cpu: 1500m, memory: 2Gi}}\n"
            .write(toFile: config + "/deploy/search.yaml", atomically: true, encoding: .utf8)
        try "services:\n  worker:\n    deploy: {resources: {reservations: {cpus: '0.5', memory: 1g}}}\n"
            .write(toFile: config + "/deploy/compose.yaml", atomically: true, encoding: .utf8)
        let requests = try CostRequests.load(configDirectory: config, repository: config)
        #expect(requests == ["search": ServiceRequest(cpu: 2, memoryGB: 3)])
        let demand = HostAllocation.Demand(
            service: "search", cpuRequest: requests["search"]?.cpu, cpuUsage: 0.5, memoryRequestGB: requests["search"]?.memoryGB, memoryUsageGB: 4)
        let split = HostAllocation(host: "h", hours: 1, cpus: 4, memoryGB: 8, prices: .init(cpu: 1, memory: 1), demands: [demand], rule: .none)
        #expect(split.shares[0].cpuCost == 2 && split.shares[0].memoryCost == 4, "max(request, usage) of each")
        try "spec:\n  containers:\n    - name: search\n      resources: {requests: {cpu: fast}}\n"
            .write(toFile: config + "/deploy/search.yaml", atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try CostRequests.load(configDirectory: config, repository: config) }
    }
}
