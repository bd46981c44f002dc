import AlmanacAlerts
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

/// Twenty days of stored node_exporter and process series in a real SQLite store: the costs job
/// writes each finished day's cost and CO2e as series (once), a budget rule's forecast over them
/// fires as a disk's would, the report forecasts 6 and 12 months and compares with the month
/// before, and an hourly grid series weighs the busy hours.
@Suite struct CostHistoryTests {
    static let catalog = """
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata: {name: team}
        spec: {type: team, children: []}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: search}
        spec: {type: service, lifecycle: production, owner: team, servers: [h]}
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata: {name: web}
        spec: {type: service, lifecycle: production, owner: team, servers: [h]}
        """

    static let costs = """
        currency: EUR
        hosts:
          - {name: h, vcpus: 4, memory_gb: 16, location: FR, pue: 1, cloud: {per_vcpu_hour: 0.01, per_gb_hour: 0.001}}
        grid_series: {FR: 'grid_intensity{zone="FR"}'}
        """

    static let day: Int64 = 86_400_000

    /// search's CPU grows from 0.5 to 2.5 cores over the 20 days, web stays at 0.5; both hold 1 GB.
    /// The grid is 100 g/kWh from midnight to noon and 300 after, for the first 10 days only.
    static func history(_ heads: SeriesHeads, now: Int64) async throws {
        let start = now - 20 * day
        var cpu = (search: 0.0, web: 0.0, idle: 0.0)
        var samples: [(name: String, labels: [Label], sample: Sample)] = []
        for step in 0...(20 * 48) {
            let t = start + Int64(step) * 1_800_000
            let fraction = Double(step) / Double(20 * 48)
            let searchCores = 0.5 + 2 * fraction
            cpu.search += searchCores * 1800
            cpu.web += 0.5 * 1800
            cpu.idle += (1 - (searchCores + 0.5) / 4) * 1800
            for core in 0..<4 {
                samples.append(
                    (
                        "node_cpu_seconds_total", [Label("cpu", "\(core)"), Label("host", "h"), Label("mode", "idle")],
                        Sample(timestamp: t, value: cpu.idle)
                    ))
            }
            for (service, seconds) in [("search", cpu.search), ("web", cpu.web)] {
                let labels = [Label("host", "h"), Label("service", service)]
                samples.append(("process_cpu_seconds_total", labels, Sample(timestamp: t, value: seconds)))
                samples.append(("process_resident_memory_bytes", labels, Sample(timestamp: t, value: 1_073_741_824)))
            }
            if t < start + 10 * day {
                let hour = (t % day) / 3_600_000
                samples.append(("grid_intensity", [Label("zone", "FR")], Sample(timestamp: t, value: hour < 12 ? 100 : 300)))
            }
        }
        _ = try await heads.append(samples)
        try await heads.flush()
    }

    @Test func dailyCostsAreStoredOnceAndABudgetRuleForecastsThem() async throws {
        let config = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: config + "/catalog", withIntermediateDirectories: true)
        try Self.catalog.write(toFile: config + "/catalog/all.yaml", atomically: true, encoding: .utf8)
        let catalog = try CatalogFiles.load(configDirectory: config)
        let model = try CostsFile.parse(try ConfigDocument.parse(Self.costs, file: CostsFile.path), knownHosts: ["h"], grid: GridFactors.table)
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: Logger(label: "test"))
        let store = SQLSeriesStore(database: database)
        let heads = SeriesHeads(store: store)
        let now = (WallClock.system.milliseconds() / Self.day) * Self.day + 6 * 3_600_000
        try await Self.history(heads, now: now)
        let service = CostService { StoredSeriesSource(store: store, steps: []) }
        let recorder = CostRecorder(service: service, heads: heads, logger: Logger(label: "test")) {
            .init(model: model, catalog: catalog, requests: [:])
        }
        let written = try await recorder.record(now: now)
        // 20 finished days (the first from 06:00: rates and means need no whole day), 3 series each
        // for money and CO2e; today is not finished.
        #expect(written == 20 * 6)
        #expect(try await recorder.record(now: now) == 0, "a day is stored once")
        try await heads.flush()

        let source = StoredSeriesSource(store: store, steps: [])
        let totals = try await source.select(try Selector("almanac_cost_per_month{service=\"\"}"), from: now - 30 * Self.day, to: now)
        // The host costs 0.056 an hour whatever runs: 40.88 a month, every day.
        #expect(totals.count == 1 && totals[0].samples.count == 20 && totals[0].samples.allSatisfy { abs($0.value - 40.88) < 1e-6 })
        let search = try await source.select(try Selector("almanac_cost_per_month{service=\"search\"}"), from: now - 30 * Self.day, to: now)
        let values = try #require(search.first?.samples.map(\.value))
        #expect(values.first! < 23 && values.last! > 32 && zip(values, values.dropFirst()).allSatisfy { $0 < $1 })

        let rules = try RuleFile.parse(
            try ConfigDocument.parse(
                """
                rules:
                  - alert: SearchOverBudget
                    series: almanac_cost_per_month{service="search"}
                    forecast: {above: 38, within: 90d}
                  - alert: CarbonBudget
                    series: almanac_co2e_kg_per_month{service=""}
                    forecast: {above: 1000, within: 365d}
                """, file: "monitoring/rules/budgets.yaml"))
        let series = try await source.select(rules[0].selector, from: now - 30 * Self.day, to: now)
        #expect(RuleEvaluator.evaluate(rules[0], series: series, now: now).first?.severity == .critical, "search's share grows past 38")
        let carbon = try await source.select(rules[1].selector, from: now - 30 * Self.day, to: now)
        #expect(carbon.count == 1 && RuleEvaluator.evaluate(rules[1], series: carbon, now: now).first?.severity == nil)

        let report = try await service.report(model: model, catalog: catalog, from: now - 7 * Self.day, to: now)
        let outlook = try #require(report.outlook.first { $0.service == "search" && $0.measure == .money })
        #expect(outlook.days == 20 && outlook.sixMonths.likely > outlook.now && outlook.twelveMonths.likely > outlook.sixMonths.likely)
        #expect(report.outlook.first { $0.service == nil && $0.measure == .money }.map { abs($0.twelveMonths.likely - 40.88) < 1e-6 } == true)
        let row = try #require(report.services.first { $0.service == "search" })
        #expect(row.previousCost.map { $0 < row.cost } == true, "search cost more this week than the week before")
        #expect(report.serviceTable.rows.first { $0[0] == "search" }?[3].hasPrefix("+") == true)
        try await database.close()
    }

    /// Over the first 10 days the grid is 100 g/kWh in the morning and 300 in the afternoon, and
    /// the host's RAPL counter says 100 W in the morning and 200 W in the afternoon: the factor
    /// weighted by power is (100 × 100 + 300 × 200) / 300 = 233.3 (the plain mean would be 200);
    /// after the series ends the table's 56 g/kWh for France is used.
    @Test func hourlyGridValuesWeighTheHostsPower() async throws {
        let config = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: config + "/catalog", withIntermediateDirectories: true)
        try Self.catalog.write(toFile: config + "/catalog/all.yaml", atomically: true, encoding: .utf8)
        let catalog = try CatalogFiles.load(configDirectory: config)
        let model = try CostsFile.parse(try ConfigDocument.parse(Self.costs, file: CostsFile.path), knownHosts: ["h"], grid: GridFactors.table)
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: Logger(label: "test"))
        let store = SQLSeriesStore(database: database)
        let heads = SeriesHeads(store: store)
        let now = (WallClock.system.milliseconds() / Self.day) * Self.day + 6 * 3_600_000
        try await Self.history(heads, now: now)
        let start = now - 20 * Self.day
        var joules = 0.0
        var rapl: [(name: String, labels: [Label], sample: Sample)] = []
        for step in 0...(10 * 24 * 12) {
            let t = start + Int64(step) * 300_000
            rapl.append(("node_rapl_package_joules_total", [Label("host", "h"), Label("zone", "package-0")], Sample(timestamp: t, value: joules)))
            joules += ((t % Self.day) / 3_600_000 < 12 ? 100 : 200) * 300
        }
        _ = try await heads.append(rapl)
        try await heads.flush()
        let service = CostService { StoredSeriesSource(store: store, steps: []) }
        let early = try await service.report(model: model, catalog: catalog, from: start + Self.day, to: start + 9 * Self.day, outlook: false)
        let h = try #require(early.hosts.first)
        #expect(h.measured && h.gridFromSeries && abs(h.gridGramsPerKilowattHour - 700.0 / 3) < 1)
        let late = try await service.report(model: model, catalog: catalog, from: now - 5 * Self.day, to: now, outlook: false)
        #expect(late.hosts.first.map { !$0.gridFromSeries && $0.gridGramsPerKilowattHour == 56 } == true)
        try await database.close()
    }
}
