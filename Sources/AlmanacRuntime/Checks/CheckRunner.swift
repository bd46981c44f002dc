import AlmanacChecks
import Foundation
import Logging
import ServiceLifecycle

/// Runs every check on its own schedule (its interval, or its retry interval while a problem is
/// soft): one task per check, started, restarted or stopped as the files change.
public struct CheckRunner: Service {
    let checks: @Sendable () -> [Check]
    /// The checks of the entities a check's entity depends on (the catalogue's `dependsOn`).
    let dependencies: @Sendable (Check) -> [Check]
    let probes: CheckProbes
    let book: CheckBook
    let recovery: CheckRecovery
    let clock: WallClock
    let logger: Logger

    /// `concurrentRecoveries` bounds the recoveries running at once across the fleet; `context`
    /// says what changed lately (the latest rollout) when a recovery gives up.
    public init(
        checks: @escaping @Sendable () -> [Check], dependencies: @escaping @Sendable (Check) -> [Check], probes: CheckProbes, book: CheckBook,
        concurrentRecoveries: @escaping @Sendable () -> Int, context: @escaping @Sendable () async -> String, clock: WallClock,
        logger: Logger
    ) {
        self.clock = clock
        self.checks = checks
        self.dependencies = dependencies
        self.probes = probes
        self.book = book
        recovery = CheckRecovery(book: book, slots: RecoverySlots(limit: concurrentRecoveries), context: context, clock: clock)
        self.logger = logger
    }

    public func run() async throws {
        var running: [String: (check: Check, task: Task<Void, Never>)] = [:]
        defer { for (_, entry) in running { entry.task.cancel() } }
        repeat {
            let current = checks()
            for (name, entry) in running where !current.contains(entry.check) {
                entry.task.cancel()
                running[name] = nil
            }
            for check in current where running[check.name] == nil {
                running[check.name] = (check, Task { await loop(check) })
            }
        } while await clock.nextRound(after: 0.5)
    }

    func loop(_ check: Check) async {
        while !Task.isCancelled {
            do {
                let due = try await book.current(check).due(check)
                let wait = due - clock.milliseconds()
                if wait > 0 { try await clock.sleep(for: .milliseconds(min(wait, 1000))) }
                guard due <= clock.milliseconds() else { continue }
                let result = await probes.run(check)
                guard !Task.isCancelled else { return }
                let dependencies = dependencies(check)
                let (_, decision) = try await book.record(check, result, at: clock.milliseconds(), dependencies: dependencies)
                try await recovery.act(on: decision, check: check, result: result, dependencies: try await book.describe(dependencies))
            } catch is CancellationError {
                return
            } catch {
                logger.error("check result not recorded; tried again next interval", metadata: ["check": "\(check.name)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(check.interval))
            }
        }
    }
}
