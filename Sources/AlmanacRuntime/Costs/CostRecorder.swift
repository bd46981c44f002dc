import AlmanacCatalog
import AlmanacCosts
import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

/// Stores each finished day's cost and CO2e (as a month of that day) in the series
/// `almanac_cost_per_month` and `almanac_co2e_kg_per_month`, per service and in all, so an alert
/// rule's forecast watches a monthly budget as it watches a disk. The first round fills the last
/// 60 days from the history already stored.
public struct CostRecorder: Sendable {
    public struct Setup: Sendable {
        public var model: CostModel
        public var catalog: Catalog
        public var requests: [String: ServiceRequest]

        public init(model: CostModel, catalog: Catalog, requests: [String: ServiceRequest]) {
            self.model = model
            self.catalog = catalog
            self.requests = requests
        }
    }

    let service: CostService
    let heads: SeriesHeads
    /// The current files, or nil when there is no costs file (or it does not load).
    let setup: @Sendable () throws -> Setup?
    let logger: Logger

    public init(service: CostService, heads: SeriesHeads, logger: Logger, setup: @escaping @Sendable () throws -> Setup?) {
        self.service = service
        self.heads = heads
        self.setup = setup
        self.logger = logger
    }

    /// One round of `PeriodicJob`: the finished days not yet stored.
    public func round(now: Int64) async throws {
        let written = try await record(now: now)
        if written > 0 { logger.info("recorded daily costs", metadata: ["samples": "\(written)"]) }
    }

    /// Records the finished days not recorded yet; returns how many samples were stored.
    public func record(now: Int64) async throws -> Int {
        guard let setup = try setup() else { return 0 }
        let today = now / 86_400_000 * 86_400_000
        let oldest = today - Int64(CostService.historyDays) * 86_400_000
        let total = [Label("currency", setup.model.currency)]
        // The total's newest sample marks the last day done (its time is the day's end).
        let done = try await heads.newest(name: CostSeries.money, labels: total) ?? oldest
        guard done < today else { return 0 }
        let samples = try await service.dailySamples(
            model: setup.model, catalog: setup.catalog, requests: setup.requests, from: max(done, oldest), to: today)
        return try await heads.append(samples.sorted { $0.sample.timestamp < $1.sample.timestamp })
    }
}
