import AlmanacStorage
import Foundation
import ServiceLifecycle

/// The one reading of the wall clock, injected from the composition root: milliseconds since
/// 1970 for stores, rules and rollouts, seconds for evaluation contexts, and the sleeps between
/// background rounds. Production reads the system's clock; tests follow a clock they drive
/// (swift-clocks' `TestClock`), and the binary's test mode a start time and a speed, so a
/// scenario of days runs in seconds without a real wait.
public struct WallClock: Sendable {
    private let reading: @Sendable () -> Int64
    private let sleeping: @Sendable (Duration) async throws -> Void
    private let elapsing: @Sendable () -> Duration
    /// True for the system's clock, false for one a test drives.
    public let isSystem: Bool

    /// The system's clock: wall time for readings, a monotonic clock for deadlines.
    public static let system: WallClock = {
        let start = ContinuousClock.now
        return WallClock(
            reading: { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }, sleeping: { try await Task.sleep(for: $0) },
            elapsing: { start.duration(to: .now) }, isSystem: true)
    }()

    /// Time that follows `clock` from `start` (ms since 1970): advancing the clock advances every
    /// reading and wakes every sleep that is due.
    public static func following<C: Clock>(_ clock: C, from start: Int64) -> WallClock where C.Duration == Duration {
        let origin = clock.now
        return WallClock(
            reading: { start + origin.duration(to: clock.now).wholeMilliseconds }, sleeping: { try await clock.sleep(for: $0) },
            elapsing: { origin.duration(to: clock.now) }, isSystem: false)
    }

    /// Time that reads `start` (ms since 1970) when the wall clock does and runs `speed` times
    /// faster from there: the binary's test mode, where an escalation timeout of ten minutes
    /// passes in seconds. Any program can compute the same time from the wall clock, so a test's
    /// traffic and the server agree on it whenever each started.
    public static func scaled(from start: Int64, speed: Double) -> WallClock {
        let origin = ContinuousClock.now
        return WallClock(
            reading: { start + Int64((Double(system.milliseconds() - start) * speed).rounded(.down)) },
            sleeping: { try await Task.sleep(for: $0 / speed) }, elapsing: { origin.duration(to: .now) * speed }, isSystem: false)
    }

    public func milliseconds() -> Int64 { reading() }
    public func seconds() -> Int64 { Int64((Double(reading()) / 1000).rounded(.down)) }
    public func date() -> Date { Date(timeIntervalSince1970: Double(reading()) / 1000) }

    /// Time passed on this clock since it was made: for deadlines, which must not move when the
    /// wall clock is set.
    public func elapsed() -> Duration { elapsing() }

    /// The clock as the stores read it.
    public var forStores: StoreClock { StoreClock(now: { milliseconds() }, isSystem: isSystem) }

    public func sleep(for duration: Duration) async throws { try await sleeping(duration) }

    public func sleep(seconds: Double) async throws { try await sleeping(.milliseconds(max(0, Int64(seconds * 1000)))) }

    /// Waits `seconds` before a background job's next round; false once the server is shutting
    /// down, so every periodic job stops the same way.
    public func nextRound(after seconds: Double) async -> Bool {
        do {
            try await cancelWhenGracefulShutdown { try await sleep(seconds: seconds) }
            return !Task.isShuttingDownGracefully
        } catch {
            return false
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    public var wholeMilliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds, as a number.
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
