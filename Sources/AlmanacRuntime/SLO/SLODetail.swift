import AlmanacMetrics
import AlmanacSLO

extension SLOService {
    /// One SLO's page: its figures now and how its budget went down over the window, hour by hour.
    public struct Detail: Sendable {
        public var status: Status
        /// Budget left after each hour of the window (1 untouched), at the hour's end.
        public var burnDown: [(time: Int64, remaining: Double)]
        /// Where the window starts.
        public var start: Int64
    }

    /// Nil when no SLO has that name.
    public func detail(named name: String, now: Int64? = nil) async throws -> Detail? {
        let now = now ?? clock.milliseconds()
        guard let slo = slos().first(where: { $0.name == name }) else { return nil }
        let source = try await source()
        let start = now - slo.window
        let from = now - max(slo.window, BurnRateAlerts.windows.max() ?? 0) - 3_600_000
        let events = try await self.events(slo, source: source, from: from, to: now)
        if let problem = events.problem { return Detail(status: Status(slo: slo, problem: problem), burnDown: [], start: start) }
        let evaluation = SLOEvaluation.evaluate(slo, good: events.good, total: events.total, counting: events.counting, now: now)
        let hour: Int64 = 3_600_000
        let steps = EventCounts.perStep(good: events.good, total: events.total, counting: events.counting, from: start, to: now, step: hour)
        let remaining = ErrorBudget.burnDown(steps, objective: slo.objective) ?? []
        return Detail(
            status: Status(slo: slo, evaluation: evaluation),
            burnDown: remaining.enumerated().map { (min(now, start + Int64($0.offset + 1) * hour), $0.element) }, start: start)
    }
}
