import AlmanacAlerts
import AlmanacCatalog
import AlmanacConfig
import AlmanacMetrics
import AlmanacSLO
import AlmanacStorage
import Foundation
import Logging

/// The SLOs of `slos/*.yaml` against the series the monitoring engine stores (or the team's
/// Prometheus): budgets, burn rates, the condition that holds, and the budget's end.
public struct SLOService: Sendable {
    public let slos: @Sendable () -> [SLO]
    /// Where samples are read: the embedded store, or the team's Prometheus.
    let source: @Sendable () async throws -> any SeriesSource

    public init(slos: @escaping @Sendable () -> [SLO], source: @escaping @Sendable () async throws -> any SeriesSource) {
        self.slos = slos
        self.source = source
    }

    /// The SLOs of `slos/`, each checked against the catalogue's services (when it has any).
    public static func load(configDirectory root: String, catalog: Catalog) throws -> [SLO] {
        let services: [String: Tier?]? =
            catalog.services.isEmpty ? nil : Dictionary(catalog.services.map { ($0.ref.name, $0.tier) }) { first, _ in first }
        var slos: [SLO] = []
        var errors: [ConfigError] = []
        for source in try ConfigFolder(root: root, folder: SLOFile.folder, suffixes: [".yaml", ".yml"]).documents() {
            do throws(ConfigError) {
                for slo in try SLOFile.parse(try ConfigDocument.parse(source.text, file: source.file), services: services) {
                    if let other = slos.first(where: { $0.name == slo.name }) {
                        throw ConfigError(
                            file: source.file, line: slo.line, field: "name", message: "a second SLO named '\(slo.name)' (first in \(other.file))")
                    }
                    slos.append(slo)
                }
            } catch { errors.append(error) }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return slos
    }

    /// One SLO's figures now, or why they cannot be had (no series matches its selectors).
    public struct Status: Sendable {
        public var slo: SLO
        public var evaluation: SLOEvaluation?
        public var problem: String?
    }

    public func statuses(now: Int64 = WallClock.milliseconds()) async throws -> [Status] {
        var out: [Status] = []
        let source = try await source()
        for slo in slos() { out.append(try await status(slo, source: source, now: now)) }
        return out
    }

    public func status(_ slo: SLO, source: any SeriesSource, now: Int64) async throws -> Status {
        let from = now - max(slo.window, BurnRateAlerts.windows.max() ?? 0) - 3_600_000
        let good: [[Sample]]
        let total: [[Sample]]
        let counting: SLOEvaluation.Counting
        let located = "\(slo.file):\(slo.line): sli"
        switch slo.indicator {
        case .ratio(let goodSelector, let totalSelector):
            good = try await source.select(goodSelector, from: from, to: now).map(\.samples)
            total = try await source.select(totalSelector, from: from, to: now).map(\.samples)
            counting = .counters
            if total.isEmpty { return Status(slo: slo, problem: "\(located): no stored series matches \(totalSelector)") }
        case .latency(let buckets, let threshold):
            let series = try await source.select(buckets, from: from, to: now)
            func bucket(_ s: SeriesData) -> Double? { s.labels.first { $0.name == "le" }.flatMap { EventCounts.bound($0.value) } }
            good = series.filter { bucket($0).map { abs($0 - threshold) < 1e-9 } ?? false }.map(\.samples)
            total = series.filter { bucket($0) == .infinity }.map(\.samples)
            counting = .counters
            if total.isEmpty { return Status(slo: slo, problem: "\(located): no stored series matches \(buckets) with le=\"+Inf\"") }
            if good.isEmpty { return Status(slo: slo, problem: "\(located): no bucket of \(buckets) has le=\"\(threshold)\"") }
        case .check(let name):
            let selector = try Selector("almanac_check_up{check=\"\(name)\"}")
            total = try await source.select(selector, from: from, to: now).map(\.samples)
            good = total
            counting = .runs
            if total.isEmpty { return Status(slo: slo, problem: "\(located): the check '\(name)' has no results") }
        }
        return Status(slo: slo, evaluation: SLOEvaluation.evaluate(slo, good: good, total: total, counting: counting, now: now))
    }
}
