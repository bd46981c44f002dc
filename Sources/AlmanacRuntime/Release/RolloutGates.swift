import AlmanacAlerts
import AlmanacRollout
import AlmanacStorage

/// What the gates between two waves say.
public enum GateVerdict: Sendable, Equatable {
    /// The next wave may start.
    case pass
    /// Something is wrong with the new revision: roll back.
    case fail(String)
    /// A gate cannot read its inputs: stop and let a person decide (fail closed).
    case unreadable(String)
}

/// The gates between waves: every changed host still healthy, no alert of the pipeline's
/// service firing, the error rate below its level, read from the configured series source.
struct RolloutGates: Sendable {
    let alerts: SQLAlertStore
    /// Where the error rate is read: the local store or the Prometheus of `monitoring/source.yaml`.
    let source: @Sendable () -> any SeriesSource

    /// How far back the error-rate gate looks for its latest value.
    static let errorRateWindow: Int64 = 300_000

    func verdict(_ rollout: Rollout, _ pipeline: Pipeline, now: Int64) async -> GateVerdict {
        guard let environment = pipeline.environment(rollout.environment) else {
            return .unreadable("environment \(rollout.environment) is no longer in pipeline/pipeline.yaml")
        }
        let runner = StepRunner(pipeline: pipeline, environment: environment)
        for host in rollout.waves.prefix(rollout.wave + 1).joined() {
            let health = await runner.checkOnce(
                StepRunner.fill(pipeline.commands(host: host, in: environment).health, host: host, revision: rollout.to), expected: rollout.to)
            if !health.ok { return .fail("\(host) is no longer healthy: \(health.output.split(separator: "\n").last ?? "")") }
        }
        if environment.gates.alerts, let service = pipeline.service {
            let state: AlertingState
            do {
                state = try await alerts.state()
            } catch {
                return .unreadable("the alert gate cannot read the alert state: \(error)")
            }
            // Alerts of the pipeline's service, in this environment where the alert names one; a
            // drift alert (no service) must not stop the rollout that would end the drift.
            let firing = state.tracker.alerts.values.filter { alert in
                alert.state == .firing && alert.labels.contains { $0.name == "service" && $0.value == service }
                    && (alert.labels.first { $0.name == "environment" }?.value ?? environment.name) == environment.name
            }
            if let alert = firing.min(by: { $0.rule < $1.rule }) { return .fail("alert \(alert.rule) fires for \(service)") }
        }
        if let gate = environment.gates.errorRate {
            return await errorRate(gate, environment: environment.name, now: now)
        }
        return .pass
    }

    private func errorRate(_ gate: (series: String, above: Double), environment: String, now: Int64) async -> GateVerdict {
        let selector: Selector
        do {
            selector = try Selector(gate.series)
        } catch {
            return .unreadable("the error-rate gate's series '\(gate.series)' is not a valid selector: \(error)")
        }
        let data: [SeriesData]
        do {
            data = try await source().select(selector, from: now - Self.errorRateWindow, to: now)
        } catch {
            return .unreadable("the error-rate gate cannot read \(gate.series): \(error)")
        }
        let values = data.filter { ($0.labels.first { $0.name == "environment" }?.value ?? environment) == environment }.compactMap {
            $0.samples.last?.value
        }
        guard !values.isEmpty else {
            return .unreadable("the error-rate gate found no value of \(gate.series) in the last \(Self.errorRateWindow / 60_000) minutes")
        }
        if let worst = values.max(), worst > gate.above || worst.isNaN { return .fail("\(gate.series) is \(worst), above \(gate.above)") }
        return .pass
    }
}
