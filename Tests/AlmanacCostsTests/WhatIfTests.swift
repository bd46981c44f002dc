import AlmanacConfig
import AlmanacMetrics
import Testing

@testable import AlmanacCosts

/// Changes tried on a small model, worked out by hand; the report's parts still add up.
@Suite struct WhatIfTests {
    /// Two cloud hosts at 0.01 a vCPU-hour and 0.001 a GB-hour, for 100 hours: a (4 vCPUs, 8 GB)
    /// costs 4.80, b (2 vCPUs, 4 GB) 2.40. search holds 1 vCPU and 2 GB on a; images 1 vCPU on b.
    static let yaml = """
        currency: EUR
        storage: {ssd_per_gb_month: 0.1, backup_per_gb_month: 0.01}
        egress_per_gb: 0.05
        hosts:
          - {name: a, vcpus: 4, memory_gb: 8, location: FR, pue: 1, cloud: {per_vcpu_hour: 0.01, per_gb_hour: 0.001},
             disks: [{kind: ssd, tb: 0.73}], backup_gb: 730}
          - {name: b, vcpus: 2, memory_gb: 4, location: FR, pue: 1, cloud: {per_vcpu_hour: 0.01, per_gb_hour: 0.001}}
        """

    static func model() throws -> CostModel {
        try CostsFile.parse(try ConfigDocument.parse(yaml, file: CostsFile.path), knownHosts: nil, grid: GridFactors.table)
    }

    static let measured = [
        HostMeasurements(
            host: "a", utilization: 0.5, raplKWh: nil, networkGB: 10, demands: [.init(service: "search", cpuUsage: 1, memoryUsageGB: 2)]),
        HostMeasurements(host: "b", utilization: 0.5, raplKWh: nil, demands: [.init(service: "images", cpuUsage: 1, memoryUsageGB: 1)]),
    ]

    /// Storage: 730 GB of SSD at 0.1 a GB-month for 100 of 730 hours is 10.00; backups 730 GB at
    /// 0.01, 1.00; egress 10 GB at 0.05, 0.50. a's bill: 4.80 + 11.50 = 16.30, all of it search's
    /// (the only service there, idle spread to it).
    @Test func storageBackupsAndEgressAreOnTheBillAndSpread() throws {
        let report = CostReport(model: try Self.model(), measurements: Self.measured, hours: 100, units: [:])
        let a = try #require(report.hosts.first { $0.host == "a" })
        #expect(abs(a.cost - 16.3) < 1e-9 && abs(a.moneySplit.storage - 11) < 1e-9 && abs(a.moneySplit.network - 0.5) < 1e-9)
        #expect(abs(a.moneySplit.total - a.cost) < 1e-9 && abs(a.carbonSplit.total - a.grams) < 1e-9)
        let search = try #require(report.services.first { $0.service == "search" })
        #expect(abs(search.cost - 16.3) < 1e-9 && abs(search.moneySplit.total - search.cost) < 1e-9)
        #expect(abs(a.shares.reduce(0) { $0 + $1.cost } + a.idle - a.cost) < 1e-9)
    }

    /// Moving search to b: a keeps its bill (a host costs what it costs) but nothing runs on
    /// it, so all of it is idle; b's busy cores go from 1 to 2. Retiring a instead takes its
    /// whole bill away (its traffic goes with its services). A replica of images on a halves its CPU on b. Saving 730 GB of SSD
    /// takes the 10.00 of storage away.
    @Test func changesCompareWithToday() throws {
        let model = try Self.model()
        let today = CostReport(model: model, measurements: Self.measured, hours: 100, units: [:])
        func tried(_ text: String) throws -> CostReport {
            let changes = try WhatIf.parse(try ConfigDocument.parse(text, file: "what-if.yaml"), model: model, measurements: Self.measured)
            let (m, measured) = WhatIf.apply(changes, model: model, measurements: Self.measured)
            return CostReport(model: m, measurements: measured, hours: 100, units: [:])
        }
        let moved = try tried("changes:\n  - move: {service: search, from: a, to: b}\n")
        let a = try #require(moved.hosts.first { $0.host == "a" })
        #expect(a.shares.isEmpty && abs(a.idle - a.cost) < 1e-9 && abs(a.cost - 16.3) < 1e-9)
        #expect(moved.hosts.first { $0.host == "b" }?.utilization.map { abs($0 - 1) < 1e-9 } == true)
        #expect(moved.hosts.first { $0.host == "a" }?.utilization.map { abs($0 - 0.25) < 1e-9 } == true)

        let retired = try tried("changes:\n  - retire: {host: a, move_to: b}\n")
        #expect(retired.hosts.map(\.host) == ["b"])
        // b keeps its 2.40 and now sends a's 10 GB: 0.50 of egress; the 16.30 of a is gone.
        #expect(abs(today.hosts.reduce(0) { $0 + $1.cost } - 18.7) < 1e-9 && abs(retired.hosts[0].cost - 2.9) < 1e-9)
        let table = WhatIf.comparison(before: today, after: retired)
        #expect(table.rows.last?[0] == "all hosts" && table.rows.last?[3].hasPrefix("-") == true)

        let replica = try tried("changes:\n  - replica: {service: images, host: a}\n")
        let onA = replica.hosts.first { $0.host == "a" }?.shares.map(\.service)
        #expect(onA?.contains("images") == true)
        #expect(replica.hosts.first { $0.host == "b" }?.utilization.map { abs($0 - 0.25) < 1e-9 } == true, "0.5 of 2 vCPUs left")

        let smaller = try tried("changes:\n  - storage: {host: a, kind: ssd, saved_gb: 730}\n")
        #expect(abs((today.hosts[0].cost - smaller.hosts[0].cost) - 10) < 1e-9)
        #expect(smaller.hosts[0].kilowattHours < today.hosts[0].kilowattHours)
    }

    @Test func badChangesSayWhereAndWhy() throws {
        let model = try Self.model()
        func problem(_ text: String) -> String {
            do {
                _ = try WhatIf.parse(try ConfigDocument.parse(text, file: "what-if.yaml"), model: model, measurements: Self.measured)
                return "parsed"
            } catch { return "\(error)" }
        }
        #expect(problem("changes:\n  - move: {service: search, from: a, to: z}\n").contains("what-if.yaml:2"))
        #expect(problem("changes:\n  - move: {service: search, from: a, to: z}\n").contains("unknown host 'z'"))
        #expect(problem("changes:\n  - move: {service: images, from: a, to: b}\n").contains("does not run on a"))
        #expect(problem("changes:\n  - replica: {service: ghost, host: a}\n").contains("unknown service 'ghost'"))
        #expect(problem("changes:\n  - grow: {host: a}\n").contains("unknown change 'grow'"))
        #expect(problem("changes:\n  - retire: {host: a, move_to: a}\n").contains("another host"))
    }

    /// A month's figure growing by 1 a day for 30 days is 30 more a month later: in 183 days,
    /// about 183 more than the last; a flat one stays flat, its range narrow.
    @Test func outlookReadsTheTrendAheadWithItsRange() throws {
        let day: Int64 = 86_400_000
        let growing = (0..<30).map { Sample(timestamp: Int64($0 + 1) * day, value: 100 + Double($0)) }
        let fit = try #require(CostOutlook.fit(service: "search", measure: .money, daily: growing))
        #expect(abs(fit.now - 129) < 1e-9 && abs(fit.sixMonths.likely - (129 + 183)) < 2 && abs(fit.twelveMonths.likely - (129 + 365)) < 4)
        #expect(fit.sixMonths.low <= fit.sixMonths.likely && fit.sixMonths.likely <= fit.sixMonths.high)
        let flat = try #require(CostOutlook.fit(service: nil, measure: .co2eKg, daily: growing.map { Sample(timestamp: $0.timestamp, value: 50) }))
        #expect(abs(flat.twelveMonths.likely - 50) < 1e-9 && flat.twelveMonths.high - flat.twelveMonths.low < 1e-6)
        #expect(CostOutlook.fit(service: nil, measure: .money, daily: Array(growing.prefix(6))) == nil, "under a week: no forecast")
    }
}
