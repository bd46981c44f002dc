import AlmanacChecks
import Foundation
import Logging
import ServiceLifecycle

/// Runs every check on its own schedule (its interval, or its retry interval while a problem is
/// soft): one task per check, started, restarted or stopped as the files change.
public struct CheckRunner: Service {
    let checks: @Sendable () -> [Check]
    let probes: CheckProbes
    let book: CheckBook
    let logger: Logger

    public init(checks: @escaping @Sendable () -> [Check], probes: CheckProbes, book: CheckBook, logger: Logger) {
        self.checks = checks
        self.probes = probes
        self.book = book
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
        } while await nextRound(after: 0.5)
    }

    func loop(_ check: Check) async {
        while !Task.isCancelled {
            do {
                let due = try await book.current(check).due(check)
                let wait = due - WallClock.milliseconds()
                if wait > 0 { try await Task.sleep(for: .milliseconds(min(wait, 1000))) }
                guard due <= WallClock.milliseconds() else { continue }
                let result = await probes.run(check)
                guard !Task.isCancelled else { return }
                try await book.record(check, result, at: WallClock.milliseconds())
            } catch is CancellationError {
                return
            } catch {
                logger.error("check result not recorded; tried again next interval", metadata: ["check": "\(check.name)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(check.interval))
            }
        }
    }
}
