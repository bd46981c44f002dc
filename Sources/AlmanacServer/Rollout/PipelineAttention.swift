import AlmanacConfig
import AlmanacReporting
import AlmanacRollout
import AlmanacRuntime

/// The pipeline's part of the home page: rollouts running, held or stopped halfway, and hosts
/// that drift from their environment's revision.
extension PipelineDomain {
    func attention() async -> [AttentionSection] {
        let more = NavigationEntry(title: "Pipeline", path: "/pipeline")
        let title = "Rollouts and drift"
        do {
            let open: Set<Rollout.Phase> = [.running, .paused, .rollingBack, .interrupted]
            let rollouts = try await service.rollouts(limit: 50).filter { open.contains($0.phase) }
            var items = rollouts.map { rollout in
                let why = rollout.held.map { ": \($0)" } ?? rollout.failure.map { ": \($0)" } ?? ""
                return AttentionItem(
                    "\(rollout.environment): rollout to \(rollout.to.prefix(10)) \(rollout.phase.rawValue)\(why)",
                    detail: "wave \(min(rollout.wave + 1, rollout.waves.count)) of \(rollout.waves.count), started by \(rollout.startedBy)",
                    link: "/rollouts/\(rollout.id)", level: rollout.phase == .running ? .info : .critical)
            }
            let now = clock.milliseconds()
            items += try await service.drift(now: now).entries.filter { $0.drifting > 0 }.map { entry in
                AttentionItem(
                    "\(entry.environment)/\(entry.host) runs \(entry.revision.map { String($0.prefix(10)) } ?? "nothing known")",
                    detail: "expected \(entry.expected.map { String($0.prefix(10)) } ?? "?"), for \(DurationText.span(entry.drifting))",
                    link: "/drift")
            }
            return [
                AttentionSection(
                    id: "attention-releases", title: title, items: items, none: "No rollout is under way; every host runs its revision.", more: more)
            ]
        } catch {
            return [.failed(id: "attention-releases", title: title, more: more, error)]
        }
    }
}

extension PipelineDomain {
    /// The latest rollout in a line, for a recovery that gives up: what changed lately is the
    /// first suspect.
    @Sendable func latestRollout() async -> String {
        do {
            guard let rollout = try await service.rollouts(limit: 1).first else { return "Latest rollout: none recorded." }
            let when = rollout.log.last.map { ", last step \(ReportFormat.moment($0.at))" } ?? ""
            return "Latest rollout: \(rollout.id) in \(rollout.environment), \(rollout.from.prefix(10)) to \(rollout.to.prefix(10)), "
                + "\(rollout.phase.rawValue)\(when)."
        } catch {
            return "Latest rollout: could not be read (\(error))."
        }
    }
}
