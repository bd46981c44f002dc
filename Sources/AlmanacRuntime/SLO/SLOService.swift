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
    /// Maintenance windows; those that cover an SLO's service and say so are left out of its budget.
    let windows: @Sendable () -> [MaintenanceWindow]

    let clock: WallClock

    public init(
        slos: @escaping @Sendable () -> [SLO], windows: @escaping @Sendable () -> [MaintenanceWindow] = { [] }, clock: WallClock,
        source: @escaping @Sendable () async throws -> any SeriesSource
    ) {
        self.clock = clock
        self.slos = slos
        self.windows = windows
        self.source = source
    }

    /// The SLOs of `slos/`, each checked against the catalogue's services (when it has any).
    public static func load(configDirectory root: String, catalog: Catalog) throws -> [SLO] {
        let services: [String: Tier?]? =
            catalog.services.isEmpty ? nil : Dictionary(catalog.services.map { ($0.ref.name, $0.tier) }) { first, _ in first }
        var slos: [SLO] = []
        try ConfigFolder(root: root, folder: SLOFile.folder, suffixes: [".yaml", ".yml"]).eachDocument { source, document throws(ConfigError) in
            for slo in try SLOFile.parse(document, services: services) {
                if let other = slos.first(where: { $0.name == slo.name }) {
                    throw ConfigError(
                        file: source.file, line: slo.line, field: "name", message: "a second SLO named '\(slo.name)' (first in \(other.file))")
                }
                slos.append(slo)
            }
        }
        return slos
    }

    /// The maintenance windows of `maintenance/`.
    public static func loadMaintenance(configDirectory root: String) throws -> [MaintenanceWindow] {
        var windows: [MaintenanceWindow] = []
        try ConfigFolder(root: root, folder: MaintenanceFile.folder, suffixes: [".yaml", ".yml"]).eachDocument { _, document throws(ConfigError) in
            windows += try MaintenanceFile.parse(document)
        }
        return windows
    }

    /// One SLO's figures now, or why they cannot be had (no series matches its selectors).
    public struct Status: Sendable {
        public var slo: SLO
        public var evaluation: SLOEvaluation?
        public var problem: String?
    }

    public func statuses(now: Int64? = nil) async throws -> [Status] {
        let now = now ?? clock.milliseconds()
        var out: [Status] = []
        let source = try await source()
        for slo in slos() { out.append(try await status(slo, source: source, now: now)) }
        return out
    }

    public func status(_ slo: SLO, source: any SeriesSource, now: Int64) async throws -> Status {
        let from = now - max(slo.window, BurnRateAlerts.windows.max() ?? 0) - 3_600_000
        let events = try await self.events(slo, source: source, from: from, to: now)
        if let problem = events.problem { return Status(slo: slo, problem: problem) }
        return Status(slo: slo, evaluation: SLOEvaluation.evaluate(slo, good: events.good, total: events.total, counting: events.counting, now: now))
    }

    /// The samples counting an SLO's good and total events, or why there are none.
    struct Events {
        var good: [[Sample]] = []
        var total: [[Sample]] = []
        var counting: SLOEvaluation.Counting = .counters
        var problem: String?
    }

    func events(_ slo: SLO, source: any SeriesSource, from: Int64, to now: Int64) async throws -> Events {
        var events = try await counted(slo, source: source, from: from, to: now)
        guard slo.excludesMaintenance else { return events }
        let intervals = windows().filter { $0.excludesFromBudget && $0.covers(service: slo.service, slo: slo.name) }
            .flatMap { $0.openings(from: from, to: now) }
        events.good = events.good.map { EventCounts.excluding(intervals, from: $0, counting: events.counting) }
        events.total = events.total.map { EventCounts.excluding(intervals, from: $0, counting: events.counting) }
        return events
    }

    private func counted(_ slo: SLO, source: any SeriesSource, from: Int64, to now: Int64) async throws -> Events {
        let located = "\(slo.file):\(slo.line): sli"
        // Good and total are two reads: both end where every scrape is in, or a scrape landing
        // between them would count in one and not the other.
        let now = source.settled(before: now)
        switch slo.indicator {
        case .ratio(let goodSelector, let totalSelector):
            let total = try await source.select(totalSelector, from: from, to: now).map(\.samples)
            if total.isEmpty { return Events(problem: "\(located): no stored series matches \(totalSelector)") }
            return Events(good: try await source.select(goodSelector, from: from, to: now).map(\.samples), total: total)
        case .latency(let buckets, let threshold):
            let series = try await source.select(buckets, from: from, to: now)
            func bucket(_ s: SeriesData) -> Double? { s.labels.first { $0.name == "le" }.flatMap { EventCounts.bound($0.value) } }
            let good = series.filter { bucket($0).map { abs($0 - threshold) < 1e-9 } ?? false }.map(\.samples)
            let total = series.filter { bucket($0) == .infinity }.map(\.samples)
            if total.isEmpty { return Events(problem: "\(located): no stored series matches \(buckets) with le=\"+Inf\"") }
            if good.isEmpty { return Events(problem: "\(located): no bucket of \(buckets) has le=\"\(threshold)\"") }
            return Events(good: good, total: total)
        case .check(let name):
            let total = try await source.select(Selector(name: "almanac_check_up", matchers: [.equal("check", name)]), from: from, to: now).map(
                \.samples)
            if total.isEmpty { return Events(problem: "\(located): the check '\(name)' has no results") }
            return Events(good: total, total: total, counting: .runs)
        }
    }

    /// The status page: each service with a public SLO (the first such SLO of the service
    /// speaks for it), its state now and its last 90 days.
    public func statusPage(
        title: String, incidents: [StatusPage.IncidentNote] = [], now: Int64? = nil
    ) async throws -> String {
        let now = now ?? clock.milliseconds()
        let source = try await source()
        var services: [StatusPage.Service] = []
        var shown: [(service: String, slo: String)] = []
        for slo in slos() where slo.isPublic && !services.contains(where: { $0.name == slo.service }) {
            shown.append((slo.service, slo.name))
            let from = (now / 86_400_000 - 90) * 86_400_000
            let events = try await self.events(slo, source: source, from: from, to: now)
            let state = StatusPage.state(
                events.problem == nil
                    ? SLOEvaluation.evaluate(slo, good: events.good, total: events.total, counting: events.counting, now: now) : nil)
            let days = StatusPage.days(good: events.good, total: events.total, counting: events.counting, now: now)
            services.append(StatusPage.Service(name: slo.service, state: state, objective: slo.objective, days: days))
        }
        let notices = StatusPage.notices(windows(), shown: shown, now: now)
        return StatusPage.html(title: title, services: services, maintenance: notices, incidents: incidents, generatedAt: now)
    }

    /// The status page's incidents and maintenance windows as an Atom feed; `pageURL` is the
    /// status page's own address, under which each entry's id lives.
    public func statusFeed(title: String, pageURL: String, incidents: [StatusPage.IncidentNote] = [], now: Int64? = nil) -> String {
        let now = now ?? clock.milliseconds()
        var shown: [(service: String, slo: String)] = []
        for slo in slos() where slo.isPublic && !shown.contains(where: { $0.service == slo.service }) { shown.append((slo.service, slo.name)) }
        let recent = incidents.filter { $0.openedAt >= now - 90 * 86_400_000 }
        return StatusPage.atom(
            title: title, pageURL: pageURL, incidents: recent, maintenance: StatusPage.notices(windows(), shown: shown, now: now),
            services: shown.map(\.service), generatedAt: now)
    }
}
