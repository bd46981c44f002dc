import AlmanacStorage
import Logging
import ServiceLifecycle

/// Runs a job only while this replica holds the job's lease: it waits for the lease, runs the
/// job, renews the lease every third of a period, and stops the job as soon as the lease is
/// lost or can no longer be proven (no renewal for two thirds of a period). At
/// shutdown the job stops first and the lease is released, so another replica takes over at
/// once instead of after the lease runs out; a replica that dies is replaced within two periods.
public struct LeasedService: Service {
    let job: ClusterJob
    let store: SQLLeaseStore
    let replica: String
    /// Lease length in milliseconds.
    let period: Int64
    let clock: WallClock
    let logger: Logger

    public init(_ job: ClusterJob, store: SQLLeaseStore, replica: String, periodSeconds: Double, clock: WallClock, logger: Logger) {
        self.clock = clock
        self.job = job
        self.store = store
        self.replica = replica
        self.period = Int64(periodSeconds * 1000)
        self.logger = logger
    }

    private enum End: Sendable { case shutdown, lost }

    public func run() async throws {
        var announcedHolder: String?
        repeat {
            let renewing = clock.elapsed()
            do {
                let lease = try await store.acquire(job.name, holder: replica, duration: period)
                if lease.holder == replica {
                    logger.info("took the lease; the job runs here", metadata: ["lease": "\(job.name)", "term": "\(lease.term)"])
                    announcedHolder = nil
                    if try await runHeld(since: renewing) == .shutdown { break }
                    logger.warning("lost the lease; the job stopped here", metadata: ["lease": "\(job.name)"])
                } else if announcedHolder != lease.holder {
                    logger.info("another replica holds the lease", metadata: ["lease": "\(job.name)", "holder": "\(lease.holder)"])
                    announcedHolder = lease.holder
                }
            } catch let error as CancellationError {
                throw error
            } catch {
                logger.warning("cannot read the lease; will try again", metadata: ["lease": "\(job.name)", "error": "\(error)"])
            }
        } while await clock.nextRound(after: Double(period) / 3000)
        // One line per job at shutdown, so a replica slow to stop shows which job it waits for.
        logger.info("the job stopped", metadata: ["lease": "\(job.name)"])
        do {
            try await store.release(job.name, holder: replica)
        } catch {
            logger.warning("cannot release the lease; it frees itself when it runs out", metadata: ["lease": "\(job.name)", "error": "\(error)"])
        }
    }

    /// The job and the renewals side by side; whichever ends first ends the other.
    private func runHeld(since renewed: Duration) async throws -> End {
        try await withThrowingTaskGroup(of: End.self) { group in
            group.addTask {
                try await job.service.run()
                return .shutdown
            }
            group.addTask { await keep(since: renewed) }
            let first = try await group.next() ?? .shutdown
            if first == .lost {
                group.cancelAll()
                // A job stopped because its lease went is not a failure of the job.
                while (try? await group.next()) != nil {}
            } else {
                // At shutdown the job finishes on its own terms (the scraper writes its open chunks).
                while (try await group.next()) != nil {}
            }
            return first
        }
    }

    /// Renews until shutdown (`.shutdown`) or until the lease is another's or cannot be proven
    /// (`.lost`). As Kubernetes' leader election does, the holder gives up two thirds into a
    /// lease it could not renew, while others wait for the whole lease: the gap absorbs a late
    /// wake-up, so two replicas never run the job at once.
    private func keep(since start: Duration) async -> End {
        let third = Duration.milliseconds(period / 3)
        var renewed = start
        var next = start + third
        while await clock.nextRound(after: max(0, (next - clock.elapsed()).inSeconds)) {
            // A pause past the deadline (a stopped process, a stalled machine) means the job
            // must stop before it does anything else.
            let deadline = renewed + third * 2
            if clock.elapsed() >= deadline { return .lost }
            let attempt = clock.elapsed()
            do {
                // A renewal that hangs past the deadline is a lost lease, not a wait.
                let (store, name, replica, period) = (store, job.name, replica, period)
                guard let lease = try await untilDeadline(deadline, on: clock, { try await store.acquire(name, holder: replica, duration: period) })
                else { return .lost }
                guard lease.holder == replica else { return .lost }
                renewed = attempt
                next = attempt + third
            } catch {
                logger.warning("cannot renew the lease", metadata: ["lease": "\(job.name)", "error": "\(error)"])
                next = min(clock.elapsed() + third / 3, deadline)
            }
        }
        return .shutdown
    }
}
