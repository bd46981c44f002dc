import AlmanacChecks
import AlmanacConfig
import Foundation
import Logging

/// Runs recoveries: at most `concurrent` across the fleet at once (the rest wait their turn),
/// each with its timeout; records each run and each escalation in the timeline with its output.
public actor RecoverySlots {
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Read on every request, so a change of the files applies to the next recovery.
    private let limit: @Sendable () -> Int

    public init(limit: @escaping @Sendable () -> Int) { self.limit = limit }

    func acquire() async {
        if running < max(1, limit()) {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the next in line, or frees it.
    func release() {
        if !waiting.isEmpty && running <= max(1, limit()) {
            waiting.removeFirst().resume()
        } else {
            running -= 1
        }
    }
}

struct CheckRecovery: Sendable {
    let book: CheckBook
    let slots: RecoverySlots
    /// What people need when a recovery gives up: the latest rollout, said in a line.
    let context: @Sendable () async -> String
    let clock: WallClock

    func act(on decision: RecoveryDecision, check: Check, result: ProbeResult, dependencies: [String]) async throws {
        guard let plan = check.recovery else { return }
        switch decision {
        case .recover(let attempt):
            await slots.acquire()
            let outcome: (ok: Bool, output: String)
            do {
                let ran = try await PluginRunner.run(plan.arguments, timeout: plan.timeout)
                outcome = (ran.status == .ok, ran.output)
            } catch {
                outcome = (false, "\(error)")
            }
            await slots.release()
            try await book.note(
                check, event: "recovery", status: outcome.ok ? "done" : "failed",
                message: "\(plan.arguments.joined(separator: " ")) (\(attempt) of \(plan.budget) within \(DurationText.compact(plan.window)))",
                output: outcome.output, at: clock.milliseconds())
        case .escalate(let runs):
            let lines = [
                "\(runs) recoveries within \(DurationText.compact(plan.window)) did not hold; no more until it has been OK for "
                    + DurationText.compact(plan.stable) + ".",
                "Last output: \(result.output)", await context(),
                dependencies.isEmpty ? "Dependencies: none checked." : "Dependencies: " + dependencies.joined(separator: "; "),
            ]
            try await book.note(
                check, event: "escalated", status: result.status.description, message: lines[0], output: lines.joined(separator: "\n"),
                at: clock.milliseconds())
        case .none, .held, .wait:
            return
        }
    }
}
