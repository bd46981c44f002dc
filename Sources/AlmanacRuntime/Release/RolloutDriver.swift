import AlmanacAlerts
import AlmanacMetrics
import AlmanacRollout
import AlmanacStorage

/// The loop that moves a rollout step by step, and what it tells people when it stops.
extension RolloutManager {
    /// How a rollout's loop ended before the rollout did: the lease went to another server, or
    /// its progress could not be recorded.
    private enum Stop: Error {
        case leaseLost
        case leaseUnreadable(any Error)
        case unsaved(any Error)
    }

    func drive(_ start: Rollout) async {
        var rollout = start
        defer { forget(rollout.id) }
        guard let pipeline = pipeline.current else {
            // Whether it was going forward or back, nothing can run without the commands.
            rollout.interrupt()
            rollout.held = "pipeline/pipeline.yaml no longer defines a pipeline"
            await settle(rollout)
            return
        }
        let runner = StepRunner(pipeline: pipeline, environment: pipeline.environment(rollout.environment))
        var windows = HostWindows(alerts: alerts, logger: logger)
        do {
            while rollout.phase == .running || rollout.phase == .rollingBack {
                if let asked = take(rollout.id) {
                    rollout.controls = (rollout.controls ?? []) + [asked.record]
                    switch asked.action {
                    case .pause: rollout.pause()
                    case .abort: rollout.abort()
                    case .resume, .rollback: break
                    }
                }
                guard rollout.phase == .running || rollout.phase == .rollingBack else { break }
                try await renewLease(rollout.environment)
                if let action = rollout.next {
                    await windows.opening(before: action, rollout: rollout, pipeline: pipeline, now: clock.milliseconds())
                    let started = clock.milliseconds()
                    let outcome = await runner.run(action)
                    await windows.closing(
                        after: action, ok: outcome.ok, rollout: rollout, now: clock.milliseconds(), grace: windowGrace(host: action.host))
                    rollout.log.append(
                        .init(
                            at: started, host: action.host, step: action.step, revision: action.revision, ok: outcome.ok,
                            milliseconds: clock.milliseconds() - started,
                            output: outcome.output))
                    let error = outcome.output.split(separator: "\n").last.map(String.init) ?? "failed"
                    if outcome.ok {
                        rollout.succeeded(action, reported: outcome.reported)
                    } else if action.step == .hold || action.step == .release {
                        rollout.stalled(action, error: error)
                    } else {
                        rollout.failed(action, error: error)
                    }
                } else if rollout.waveDone {
                    switch await gates.verdict(rollout, pipeline, now: clock.milliseconds()) {
                    case .pass:
                        rollout.advance()
                        // Saved with the success, so whoever reads a succeeded rollout sees its cleanup too.
                        if rollout.phase == .succeeded { await cleanUp(&rollout, runner: runner) }
                    case .fail(let problem): rollout.rollBack(because: problem)
                    case .unreadable(let problem): rollout.hold(because: problem)
                    }
                } else {
                    break
                }
                do { try await store.save(rollout, at: clock.milliseconds()) } catch { throw Stop.unsaved(error) }
            }
        } catch Stop.leaseLost {
            // Another server owns the rollout now; saving here would overwrite what it records.
            logger.error("rollout stopped: its lock was taken by another server", metadata: ["rollout": "\(rollout.id)"])
            await tell(rollout, "stopped: this server lost its lock of \(rollout.environment) to another", name: "RolloutStopped")
            return
        } catch {
            let reason =
                switch error as? Stop {
                case .leaseUnreadable(let cause)?: "the rollout lock cannot be renewed: \(cause)"
                case .unsaved(let cause)?: "a step's result cannot be saved: \(cause)"
                default: "\(error)"
                }
            rollout.interrupt()
            rollout.held = reason
            logger.error("rollout stopped", metadata: ["rollout": "\(rollout.id)", "reason": "\(reason)"])
        }
        await windows.closeAll(rollout: rollout, now: clock.milliseconds())
        await settle(rollout)
    }

    /// Once every host runs the new revision, each role's cleanup (the front's old assets) runs
    /// on its hosts. Nothing depends on it: a failure is on the timeline and in the log.
    private func cleanUp(_ rollout: inout Rollout, runner: StepRunner) async {
        guard let environment = runner.environment, let pipeline = self.pipeline.current else { return }
        for host in environment.hosts where pipeline.commands(host: host, in: environment).cleanup != nil {
            let started = clock.milliseconds()
            let outcome = await runner.run(.init(host: host, step: .cleanup, revision: rollout.to))
            rollout.log.append(
                .init(
                    at: started, host: host, step: .cleanup, revision: rollout.to, ok: outcome.ok, milliseconds: clock.milliseconds() - started,
                    output: outcome.output))
            if !outcome.ok {
                logger.warning("cleanup failed after the rollout", metadata: ["rollout": "\(rollout.id)", "host": "\(host)"])
            }
        }
    }

    /// Saves where the rollout stopped, frees the lock of a finished one, and tells people what
    /// needs them.
    private func settle(_ rollout: Rollout) async {
        do {
            try await store.save(rollout, at: clock.milliseconds())
        } catch {
            logger.error(
                "cannot save where the rollout stopped; a restart marks it interrupted", metadata: ["rollout": "\(rollout.id)", "error": "\(error)"])
        }
        if rollout.phase.isFinished {
            do {
                try await store.unlock(environment: rollout.environment, holder: holder)
            } catch {
                logger.warning("cannot free the rollout lock; it frees itself when its lease ends", metadata: ["error": "\(error)"])
            }
        }
        if let reason = rollout.held {
            await tell(rollout, "held: \(reason)", name: "RolloutHeld")
        } else if rollout.failure != nil && (rollout.phase == .rolledBack || rollout.phase == .interrupted) {
            let what = rollout.phase == .rolledBack ? "rolled back" : "stopped while rolling back"
            await tell(rollout, "\(what): \(rollout.failure ?? "")", name: "RolloutRolledBack")
        }
        logger.notice(
            "rollout stopped", metadata: ["rollout": "\(rollout.id)", "phase": "\(rollout.phase.rawValue)", "failure": "\(rollout.failure ?? "")"])
    }

    /// How long monitoring needs to see a host healthy again: two of its scrapes (the slowest
    /// target on it) and one rule evaluation.
    private func windowGrace(host: String) -> Int64 {
        let intervals: [Int64]
        do {
            let selector = try Selector(Silence.matchers(host: host))
            intervals = monitoring.current.targets.filter { selector.matches(name: "up", labels: $0.labels) }.map(\.interval)
        } catch {
            intervals = monitoring.current.targets.map(\.interval)
        }
        return 2 * (intervals.max() ?? 0) + ruleInterval
    }

    private func renewLease(_ environment: String) async throws {
        let renewed: Bool
        do {
            renewed = try await store.lock(
                environment: environment, holder: holder, leaseUntil: clock.milliseconds() + lease, now: clock.milliseconds())
        } catch {
            throw Stop.leaseUnreadable(error)
        }
        if !renewed { throw Stop.leaseLost }
    }

    /// Tells the receivers what happened to a rollout that needs people.
    private func tell(_ rollout: Rollout, _ what: String, name: String) async {
        let text = "⏪ Rollout \(rollout.id) of \(rollout.environment) to \(rollout.to.prefix(10)) \(what)"
        let labels = [Label("environment", rollout.environment), Label("rollout", rollout.id), Label("revision", rollout.to)]
        let notifications = monitoring.current.receivers.compactMap { receiver in
            receiver.notice(name: name, labels: labels, text: text, summary: text, now: clock.milliseconds(), externalURL: externalURL)
                .map { (receiver: receiver.name, url: receiver.url, payload: $0) }
        }
        do { try await alerts.enqueue(notifications, at: clock.milliseconds()) } catch {
            logger.error("cannot queue the rollout notice", metadata: ["error": "\(error)"])
        }
    }
}
