import AlmanacAlerts
import AlmanacExperiments
import AlmanacFlags
import AlmanacMetrics
import AlmanacSLO
import AlmanacStorage
import Foundation

/// Reads a ramp's guards: its SLOs' burn rates, its alerts, and its guardrails (the ramp's
/// variant against the default on a counter ratio, from series labelled with the variant).
/// Whatever cannot be read comes back `unreadable`, never as a pass.
struct RampGuards: Sendable {
    let slos: SLOService
    let alerts: SQLAlertStore
    /// The local store or the Prometheus of `monitoring/source.yaml`, as the SLOs read.
    let source: @Sendable () -> any SeriesSource

    /// The window an SLO guard's burn rate is read over.
    static let burnWindow: Int64 = 3_600_000
    /// How far before the step's start a counter's anchor sample is looked for.
    static let anchor: Int64 = 60_000

    func read(_ ramp: RampSpec, control: String, since: Int64, now: Int64) async -> [GuardReading] {
        var readings: [GuardReading] = []
        for guardSLO in ramp.slos { readings.append(await burn(guardSLO, now: now)) }
        if !ramp.alerts.isEmpty { readings.append(await firing(ramp.alerts)) }
        for guardrail in ramp.guardrails {
            readings.append(await compare(guardrail, variant: ramp.variant, control: control, since: since, now: now))
        }
        return readings
    }

    private func burn(_ guardSLO: RampSpec.BurnGuard, now: Int64) async -> GuardReading {
        guard let slo = slos.slos().first(where: { $0.name == guardSLO.slo }) else {
            return .unreadable("no SLO is named \(guardSLO.slo) in slos/")
        }
        let status: SLOService.Status
        do {
            status = try await slos.status(slo, source: source(), now: now)
        } catch {
            return .unreadable("SLO \(slo.name): \(error)")
        }
        guard let evaluation = status.evaluation else { return .unreadable("SLO \(slo.name): \(status.problem ?? "no figures")") }
        guard let rate = evaluation.burnRates[Self.burnWindow] else { return .unreadable("SLO \(slo.name) had no events in the last hour") }
        if rate > guardSLO.maxBurn {
            return .fails("SLO \(slo.name) burns its budget \(Self.figure(rate))× over the last hour (at most \(Self.figure(guardSLO.maxBurn))×)")
        }
        return .holds
    }

    private func firing(_ rules: [String]) async -> GuardReading {
        let state: AlertingState
        do {
            state = try await alerts.state()
        } catch {
            return .unreadable("the alert state: \(error)")
        }
        let names = Set(rules)
        if let alert = state.tracker.alerts.values.filter({ $0.state == .firing && names.contains($0.rule) }).min(by: { $0.rule < $1.rule }) {
            return .fails("alert \(alert.rule) fires")
        }
        return .holds
    }

    private func compare(_ guardrail: RampSpec.Guardrail, variant: String, control: String, since: Int64, now: Int64) async -> GuardReading {
        let source = source()
        let end = source.settled(before: now)
        let errors: [String: Double]
        let totals: [String: Double]
        do {
            errors = try await counted(guardrail.errors, label: guardrail.label, source: source, since: since, end: end)
            totals = try await counted(guardrail.total, label: guardrail.label, source: source, since: since, end: end)
        } catch let problem as VariantCounters.Unreadable {
            return .unreadable("guardrail \(guardrail.name): \(problem.why)")
        } catch {
            return .unreadable("guardrail \(guardrail.name): \(error)")
        }
        let new = GuardrailTest.Counts(total: totals[variant] ?? 0, errors: errors[variant] ?? 0)
        let old = GuardrailTest.Counts(total: totals[control] ?? 0, errors: errors[control] ?? 0)
        let verdict = GuardrailTest.verdict(control: old, variant: new, margin: guardrail.margin)
        guard verdict.harmful else { return .holds }
        return .fails(
            "guardrail \(guardrail.name): \(variant) fails \(Self.percent(new.rate)) of \(Int(new.total)), \(control) \(Self.percent(old.rate)) "
                + "(at least \(Self.percent(verdict.difference.lower)) worse, allowed \(Self.percent(guardrail.margin)))")
    }

    /// Each variant's count over `(since, end]`, summed over the series that carry it.
    private func counted(_ text: String, label: String, source: any SeriesSource, since: Int64, end: Int64) async throws -> [String: Double] {
        switch try await VariantCounters.read(text, label: label, source: source, from: since - Self.anchor, to: end) {
        case .success(let series): return VariantCounters.counts(series, after: since, through: end)
        case .failure(let problem): throw problem
        }
    }

    static func figure(_ value: Double) -> String { String(format: "%.2f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}
