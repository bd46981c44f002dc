import Logging
import ServiceLifecycle

/// The one runner of background work: a round every `interval` seconds of the injected clock,
/// given the clock's `now`. A failing round is logged in one shape (the job, what it could not
/// do, the error) and retried at the next interval: no job's error ends the replica. Graceful
/// shutdown ends the wait at once; a round in flight finishes unless it is `interruptible`
/// (rounds that wait on hosts that may not answer), so a shutdown never leaves half a round
/// written.
public struct PeriodicJob: Service {
    public let name: String
    let interval: Double
    let failure: String
    let interruptible: Bool
    let clock: WallClock
    let logger: Logger
    let round: @Sendable (Int64) async throws -> Void

    /// `failure` says what was not done when a round throws ("cannot check host revisions").
    public init(
        _ name: String, every interval: Double, clock: WallClock, logger: Logger, failure: String, interruptible: Bool = false,
        round: @escaping @Sendable (Int64) async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.failure = failure
        self.interruptible = interruptible
        self.clock = clock
        self.logger = logger
        self.round = round
    }

    public func run() async {
        repeat {
            do {
                if interruptible {
                    try await cancelWhenGracefulShutdown { try await round(clock.milliseconds()) }
                } else {
                    try await round(clock.milliseconds())
                }
            } catch is CancellationError {
                break
            } catch {
                logger.error("\(failure); the job tries again", metadata: ["job": "\(name)", "error": "\(error)", "retry_seconds": "\(interval)"])
            }
        } while await clock.nextRound(after: interval)
        logger.info("the job stopped", metadata: ["job": "\(name)"])
    }
}
