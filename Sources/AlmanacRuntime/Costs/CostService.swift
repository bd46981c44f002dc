import AlmanacAlerts
import AlmanacCapacity
import AlmanacCatalog
import AlmanacConfig
import AlmanacCosts
import AlmanacMetrics
import Foundation

/// What a service asks for on each host it runs on, read from the capacity files' workloads.
public struct ServiceRequest: Sendable, Hashable {
    public var cpu: Double?
    public var memoryGB: Double?

    public init(cpu: Double? = nil, memoryGB: Double? = nil) {
        self.cpu = cpu
        self.memoryGB = memoryGB
    }
}

/// A window's cost and carbon from what the monitoring engine stored: each host's CPU
/// utilisation from node_exporter's idle counters (its RAPL counters, when scraped, for the
/// energy itself), each service's CPU and memory from its process or container series and its
/// requests from the capacity files, and its units of work from the counters
/// `capacity/costs.yaml` names; the window before it for month over month, and each day of the
/// last 60 for the forecast.
public struct CostService: Sendable {
    let source: @Sendable () async throws -> any SeriesSource
    public static let historyDays = 60

    public init(source: @escaping @Sendable () async throws -> any SeriesSource) { self.source = source }

    public func report(
        model: CostModel, catalog: Catalog, requests: [String: ServiceRequest] = [:], from: Int64, to: Int64, outlook: Bool = true
    ) async throws -> CostReport {
        let previous = from - (to - from)
        let firstDay = (to / 86_400_000 - Int64(Self.historyDays)) * 86_400_000
        let inputs = try await CostInputs.fetch(
            model: model, catalog: catalog, requests: requests, source: try await source(), from: min(previous, outlook ? firstDay : previous), to: to
        )
        var report = Self.report(model: model, inputs: inputs, from: from, to: to)
        let before = Self.report(model: model, inputs: inputs, from: previous, to: from)
        if before.hosts.contains(where: { $0.utilization != nil || $0.measured }) { report.compare(with: before) }
        guard outlook else { return report }
        let days = Self.days(model: model, inputs: inputs, from: firstDay, to: to)
        let byName = Dictionary(grouping: days.flatMap { CostSeries.samples($0.report, at: $0.end) }) {
            $0.name + ($0.labels.first { $0.name == "service" }?.value ?? "")
        }
        for service in [nil] + report.services.map(\.service) as [String?] {
            for measure in [CostOutlook.Measure.money, .co2eKg] {
                let name = (measure == .money ? CostSeries.money : CostSeries.carbon) + (service ?? "")
                let samples = byName[name]?.map(\.sample) ?? []
                if let fit = CostOutlook.fit(service: service, measure: measure, daily: samples) { report.outlook.append(fit) }
            }
        }
        return report
    }

    /// The same with a change tried: today's report and the one the change would give.
    public func whatIf(
        model: CostModel, catalog: Catalog, requests: [String: ServiceRequest] = [:], file: ConfigNode, from: Int64, to: Int64
    ) async throws -> (today: CostReport, changed: CostReport) {
        let inputs = try await CostInputs.fetch(model: model, catalog: catalog, requests: requests, source: try await source(), from: from, to: to)
        let measured = inputs.measurements(model: model, from: from, to: to)
        let changes = try WhatIf.parse(file, model: model, measurements: measured)
        let (changedModel, changedMeasurements) = WhatIf.apply(changes, model: model, measurements: measured)
        let hours = Double(to - from) / 3_600_000
        let units = inputs.units(from: from, to: to)
        return (
            CostReport(model: model, measurements: measured, hours: hours, units: units),
            CostReport(model: changedModel, measurements: changedMeasurements, hours: hours, units: units)
        )
    }

    static func report(model: CostModel, inputs: CostInputs, from: Int64, to: Int64) -> CostReport {
        CostReport(
            model: model, measurements: inputs.measurements(model: model, from: from, to: to), hours: Double(to - from) / 3_600_000,
            units: inputs.units(from: from, to: to))
    }

    /// A report for each whole UTC day from `from` to `to` that has measurements; days before
    /// monitoring began would count the hosts at idle, so they are left out.
    static func days(model: CostModel, inputs: CostInputs, from: Int64, to: Int64) -> [(end: Int64, report: CostReport)] {
        stride(from: from / 86_400_000 * 86_400_000, to: to / 86_400_000 * 86_400_000, by: 86_400_000).compactMap { start in
            let report = Self.report(model: model, inputs: inputs, from: start, to: start + 86_400_000)
            guard report.hosts.contains(where: { $0.utilization != nil || $0.measured }) else { return nil }
            return (start + 86_400_000, report)
        }
    }

    /// Each day's samples of the cost series from `from` to `to`, for the costs job to store.
    public func dailySamples(
        model: CostModel, catalog: Catalog, requests: [String: ServiceRequest] = [:], from: Int64, to: Int64
    ) async throws -> [(name: String, labels: [Label], sample: Sample)] {
        let inputs = try await CostInputs.fetch(model: model, catalog: catalog, requests: requests, source: try await source(), from: from, to: to)
        return Self.days(model: model, inputs: inputs, from: from, to: to).flatMap { CostSeries.samples($0.report, at: $0.end) }
    }
}

/// Counters added up over series for a whole period that monitoring may have seen only in part:
/// each counter's rate while its samples covered the period (`CounterMath.coveredRate`, resets
/// as everywhere), and what that rate comes to over the whole period.
enum Counters {
    /// Per-second growth of the counters added together (cores for CPU seconds); nil when none
    /// has two samples in `(from, to]`.
    static func rate(_ series: [SeriesData], from: Int64, to: Int64) -> Double? {
        let each = series.compactMap { CounterMath.coveredRate($0.samples, from: from, to: to) }
        return each.isEmpty ? nil : each.reduce(0, +)
    }

    /// The counters' growth over the whole of `(from, to]` at that rate.
    static func increase(_ series: [SeriesData], from: Int64, to: Int64) -> Double? {
        rate(series, from: from, to: to).map { $0 * Double(to - from) / 1000 }
    }

    /// The CPU's busy share (0 to 1) from node_exporter's idle counters, one series per CPU.
    static func busyShare(_ idle: [SeriesData], from: Int64, to: Int64) -> Double? {
        rate(idle, from: from, to: to).map { max(0, min(1, 1 - $0 / Double(idle.count))) }
    }

    static func mean(_ series: [SeriesData]) -> Double? {
        let means = series.compactMap { one in one.samples.isEmpty ? nil : one.samples.reduce(0) { $0 + $1.value } / Double(one.samples.count) }
        return means.isEmpty ? nil : means.reduce(0, +)
    }
}
