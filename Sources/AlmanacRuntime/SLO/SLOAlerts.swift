import AlmanacAlerts
import AlmanacMetrics
import AlmanacSLO
import Foundation

extension SLOService {
    /// The one rule every SLO alerts through, with no hand-written rule: `ErrorBudgetBurn` with
    /// the SLO and its service as labels, critical (a page) or warning (a ticket).
    public static let burnRule: AlertRule = {
        do {
            return AlertRule(
                name: "ErrorBudgetBurn", service: nil, selector: try Selector("almanac_slo_burn_rate"), function: .last,
                condition: .threshold(.above, warning: 1, critical: 6, hysteresis: 0),
                summary:
                    "an SLO burns its error budget: 14.4× over 1 h and 5 min or 6× over 6 h and 30 min pages; 1× over 3 d and 6 h opens a ticket",
                file: SLOFile.folder, line: 0)
        } catch {
            preconditionFailure("the burn rule's selector is fixed: \(error)")
        }
    }()

    /// The burn rule's results for every SLO that has figures; an SLO without series yields none.
    /// Each round reads the longest alerting window (3 days) only, not the SLO's whole window.
    public func alerts(now: Int64) async throws -> [(rule: AlertRule, results: [RuleResult])] {
        let slos = slos()
        guard !slos.isEmpty else { return [] }
        let source = try await source()
        let longest = BurnRateAlerts.windows.max() ?? 0
        var results: [RuleResult] = []
        for slo in slos {
            let events = try await events(slo, source: source, from: now - longest - 3_600_000, to: now)
            guard events.problem == nil else { continue }
            let rates = SLOEvaluation.burnRates(slo, good: events.good, total: events.total, counting: events.counting, now: now)
            let condition = BurnRateAlerts.evaluate { rates[$0] }
            let labels = [Label("service", slo.service), Label("slo", slo.name)]
            let severity: Severity? = condition.map { $0.severity == .page ? .critical : .warning }
            results.append(RuleResult(labels: labels, value: condition.flatMap { rates[$0.long] }, severity: severity))
        }
        return [(Self.burnRule, results)]
    }

    /// Why a rollout of `service` is held by the budget policy: the SLOs of the service whose
    /// budget is spent; nil when none is (an SLO without events holds nothing back).
    public func spentBudget(service: String) async throws -> String? {
        let spent = try await statuses().filter { status in
            status.slo.service == service && (status.evaluation?.budget.remaining.map { $0 <= 0 } ?? false)
        }
        guard !spent.isEmpty else { return nil }
        return spent.map { status in
            let left = (status.evaluation?.budget.remaining ?? 0) * 100
            return "the error budget of SLO \(status.slo.name) (\(service)) is spent: \(String(format: "%.1f", left))% left"
        }.joined(separator: "; ")
    }
}
