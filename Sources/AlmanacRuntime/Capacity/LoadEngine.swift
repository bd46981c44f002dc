import AlmanacCapacity
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Runs one load test's traffic: the open model keeps its arrival schedule whatever the server
/// does and measures each request from when it was due; the closed model is wrk's loop.
/// Written on SwiftNIO directly because AsyncHTTPClient's per-request pooling and futures cost
/// several times what a load generator may spend per request (wrk's budget is a few µs).
public final class LoadEngine: Sendable {
    public struct Outcome: Sendable {
        public var recorder: LoadRecorder
        public var intervals: [LoadInterval]
        public var seconds: Double
        /// The moment of the first arrival (ms since 1970): every intended start is this plus its offset.
        public var startedAt: Int64
        /// Why the run stopped before its end (an alert, a signal, an unreachable target).
        public var aborted: String?
        public var summary: LoadSummary { LoadSummary(recorder, seconds: seconds) }
    }

    let test: LoadTest
    let bank: RequestBank
    let target: LoadTarget
    let collector: LoadCollector
    let onInterval: @Sendable (LoadInterval) -> Void
    let clock: WallClock

    public init(
        test: LoadTest, plan: RequestPlan, clock: WallClock, onInterval: @escaping @Sendable (LoadInterval) -> Void = { _ in }
    ) throws(LoadProblem) {
        self.clock = clock
        self.test = test
        target = try LoadTarget(test.target)
        bank = RequestBank(plan: plan, target: target)
        collector = LoadCollector(shards: test.threads)
        self.onInterval = onInterval
    }

    /// Stops the run early; what was measured so far is kept and marked.
    public func abort(_ reason: String) { collector.abort(reason) }

    public func run(_ model: LoadTest.Model) async throws -> Outcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: test.threads)
        let tls = target.tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        // Half a second to open the first connections before the first arrival is due.
        let startedAt = clock.milliseconds() + 500
        let start = NIODeadline.now() + .milliseconds(500)
        let loops = Array(group.makeIterator())
        let shards = loops.enumerated().map { index, loop in
            LoadShard(
                loop: loop, target: target, bank: bank, index: index, shards: loops.count, model: model, timeoutSeconds: test.timeoutSeconds,
                collector: collector, tls: tls, start: start)
        }
        let timeline = Task { [collector, onInterval] in await collector.timeline(onInterval) }
        for shard in shards { shard.loop.execute { shard.begin() } }
        let watcher = Task {
            // An abort from outside reaches each loop within 100 ms.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                if collector.aborted { for shard in shards { shard.loop.execute { shard.stop() } } }
            }
        }
        for shard in shards { try await shard.done.futureResult.get() }
        watcher.cancel()
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        try await group.shutdownGracefully()
        let recorder = collector.finish()
        let intervals = await timeline.value
        let aborted = collector.abortReason
        // The rate divides by the time the schedule ran, not the drain after it.
        let seconds = min(elapsed, model.seconds)
        return Outcome(recorder: recorder, intervals: intervals, seconds: max(seconds, 0.001), startedAt: startedAt, aborted: aborted)
    }
}
