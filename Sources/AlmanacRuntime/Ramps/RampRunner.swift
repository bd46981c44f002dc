import AlmanacAlerts
import AlmanacConfig
import AlmanacFlags
import AlmanacMetrics
import AlmanacStorage
import Logging

/// Moves flags' ramps. Each round looks at every running ramp's guards and starts, steps, holds
/// or reverts it through the flag service, so the move is in the audit log (and on charts) and
/// every replica serves it; a ramp that stopped on its own is told to the receivers once. Run
/// once per cluster, under a lease.
public struct RampRunner: Sendable {
    let flags: FlagService
    let guards: RampGuards
    let alerts: SQLAlertStore
    let monitoring: MonitoringConfig
    let externalURL: String
    let logger: Logger

    public init(
        flags: FlagService, slos: SLOService, alerts: SQLAlertStore, series: SQLSeriesStore, monitoring: MonitoringConfig, externalURL: String,
        logger: Logger
    ) {
        self.flags = flags
        self.alerts = alerts
        self.monitoring = monitoring
        self.externalURL = externalURL
        self.logger = logger
        guards = RampGuards(slos: slos, alerts: alerts) { monitoring.current.seriesSource(store: series) }
    }

    /// One look at every ramp. A move that cannot be saved throws: the round fails, nothing is
    /// told, and the next round decides again from what the database holds.
    public func round(now: Int64) async throws {
        try await flags.refreshRuntime()
        let evaluator = flags.evaluator
        for key in evaluator.effective.keys.sorted() {
            guard let flag = evaluator.effective[key], let ramp = flag.ramp else { continue }
            let position = evaluator.runtime.ramps[key]
            // A held, reverted or finished ramp waits for a person; a disabled flag serves nobody.
            if let position, position.status != .running || flag.state != .enabled { continue }
            var readings: [GuardReading] = []
            if let position {
                readings = await guards.read(ramp, control: flag.defaultVariant ?? "", since: position.since, now: now)
            }
            guard let decision = ramp.decide(position, guards: readings, now: now) else { continue }
            _ = try await flags.apply(
                .ramp(flagKey: key, position: decision.position, action: decision.action), actor: "ramp",
                comment: decision.position.reason ?? "\(ramp.variant) to \(decision.position.summary)")
            logger.notice(
                "flag ramp moved", metadata: ["flag": "\(key)", "action": "\(decision.action)", "position": "\(decision.position.summary)"])
            if decision.needsPeople { await tell(key, ramp: ramp, decision: decision, now: now) }
        }
    }

    /// The receivers of `monitoring/notifications.yaml` hear of a ramp that held or reverted; the
    /// move is saved already, so a notice that cannot be queued is logged, not retried.
    private func tell(_ key: String, ramp: RampSpec, decision: RampDecision, now: Int64) async {
        let what = decision.position.status == .reverted ? "reverted to 0%" : "holds at \(ConfigNumber.text(decision.position.percent))%"
        let text = "⏸ Ramp of flag \(key) (\(ramp.variant)) \(what)" + (decision.position.reason.map { ": \($0)" } ?? "")
        let labels = [Label("flag", key), Label("variant", ramp.variant), Label("ramp", decision.position.status.rawValue)]
        let notifications = monitoring.current.receivers.compactMap { receiver in
            receiver.notice(name: "FlagRampStopped", labels: labels, text: text, summary: text, now: now, externalURL: externalURL)
                .map { (receiver: receiver.name, url: receiver.url, payload: $0) }
        }
        do {
            try await alerts.enqueue(notifications, at: now)
        } catch {
            logger.error("cannot queue the ramp notice", metadata: ["flag": "\(key)", "error": "\(error)"])
        }
    }
}
