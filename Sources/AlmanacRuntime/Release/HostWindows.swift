import AlmanacAlerts
import AlmanacRollout
import AlmanacStorage
import Logging

/// The maintenance window a rollout opens for each host it takes out of rotation: from the
/// drain until the host is back (undrained after a passing check), alerts about the host are
/// recorded but not notified, so a planned rollout sends no host-down notification. Windows are
/// stored as silences: every replica's rule evaluation sees them, the silences page lists them
/// with the rollout that opened them, and one left open by a server that died ends by itself
/// once the steps' timeouts have all passed.
struct HostWindows {
    let alerts: SQLAlertStore
    let logger: Logger
    /// Host → the silence holding its alerts.
    private(set) var open: [String: Int64] = [:]

    init(alerts: SQLAlertStore, logger: Logger) {
        self.alerts = alerts
        self.logger = logger
    }

    /// Before a host's first step (its drain), opens its window for as long as the host's steps
    /// may take, plus a minute.
    mutating func opening(before action: Rollout.Action, rollout: Rollout, pipeline: Pipeline, now: Int64) async {
        guard action.step == .drain, open[action.host] == nil else { return }
        let longest = 2 * pipeline.drainTimeout + pipeline.deployTimeout + pipeline.healthTimeout + 60_000
        let silence = Silence(
            id: 0, matchers: Silence.matchers(host: action.host), startsAt: now, endsAt: now + longest, createdBy: "rollout \(rollout.id)",
            comment: "\(action.host) out of rotation for the rollout of \(rollout.environment) to \(action.revision.prefix(10))")
        do {
            open[action.host] = try await alerts.addSilence(silence, at: now)
        } catch {
            // The rollout goes on: a missing window costs a notification, not a deploy.
            logger.warning("cannot open the host's maintenance window", metadata: ["host": "\(action.host)", "error": "\(error)"])
        }
    }

    /// After a host is back in rotation, closes its window once monitoring has had time to see
    /// it healthy (`grace`: two of its scrapes and a rule evaluation); alerts about it then
    /// notify again, and one that still fires is notified.
    mutating func closing(after action: Rollout.Action, ok: Bool, rollout: Rollout, now: Int64, grace: Int64) async {
        guard action.step == .undrain, ok else { return }
        await close(action.host, rollout: rollout, now: now, end: now + grace)
    }

    /// When the rollout stops for any reason: hosts left out of rotation need people, so their
    /// alerts notify again.
    mutating func closeAll(rollout: Rollout, now: Int64) async {
        for host in open.keys.sorted() { await close(host, rollout: rollout, now: now) }
    }

    private mutating func close(_ host: String, rollout: Rollout, now: Int64, end: Int64? = nil) async {
        guard let id = open.removeValue(forKey: host) else { return }
        do {
            _ = try await alerts.expireSilence(id: id, by: "rollout \(rollout.id)", at: now, endingAt: end)
        } catch {
            logger.warning("cannot close the host's maintenance window; it ends by itself", metadata: ["host": "\(host)", "error": "\(error)"])
        }
    }
}
