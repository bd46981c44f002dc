import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import Synchronization
import Testing

/// Bulk evaluation while the files change under it: every answer comes from one flag set.
@Suite struct FlagSnapshotTests {
    /// Fifty flags whose every value names the set they belong to.
    static func set(_ name: String) -> String {
        "flags:\n" + (0..<50).map { "  \(name)-\($0):\n    state: ENABLED\n    variants: {v: \(name)}\n    defaultVariant: v\n" }.joined()
    }

    @Test func reloadRacingBulkEvaluationNeverMixesSets() async throws {
        let config = try TestServer.temporaryDirectory()
        let data = try TestServer.temporaryDirectory()
        try TestServer.write(["flags/app.yaml": Self.set("a")], to: config)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let database = try await Database.open(url: nil, dataDirectory: data, logger: logger)
        let flags = try await FlagService(
            repository: ConfigRepository(root: config), environment: nil, store: SQLFlagStore(database: database), clock: .system, logger: logger)
        let stop = Stopper()
        let reloaded = Counter()
        let failed = Counter()
        // On a thread of its own: on a loaded machine a task of the cooperative pool may not start
        // before the evaluations below are done.
        let reloads = Thread {
            var count = 0
            while !stop.stopped {
                count += 1
                // Reported after the thread ends: an expectation belongs to the test's own task.
                let written = (try? TestServer.write(["flags/app.yaml": Self.set(count % 2 == 0 ? "a" : "b")], to: config)) != nil
                if written && flags.reload(force: true) { reloaded.add() } else { failed.add() }
            }
            stop.finish()
        }
        reloads.start()
        var sets: Set<String> = []
        let deadline = Date().addingTimeInterval(60)
        var rounds = 0
        // Until the files changed many times under the evaluations and both sets were seen.
        while rounds < 3000 || ((reloaded.value < 20 || sets.count < 2) && Date() < deadline) {
            rounds += 1
            let answers = flags.evaluateAll(context: [:], timestamp: 0)
            #expect(answers.count == 50)
            #expect(answers.allSatisfy { $0.errorCode == nil }, "no flag of the bulk answer may be missing")
            let values = Set(answers.compactMap { $0.value?.stringValue })
            #expect(values.count == 1, "one answer mixed the sets: \(values)")
            let keys = Set(answers.map { String($0.key.split(separator: "-")[0]) })
            #expect(keys == values, "keys and values come from one set")
            sets.formUnion(values)
        }
        stop.stop()
        await stop.finished()
        #expect(reloaded.value >= 20, "the files changed during the evaluations")
        #expect(failed.value == 0, "every write and reload worked")
        #expect(sets == ["a", "b"], "both sets were seen")
        try await database.close()
    }
}

/// A flag one task sets and another reads, and the other's word that it has ended.
final class Stopper: Sendable {
    private let value = Mutex((stopped: false, finished: false))
    var stopped: Bool { value.withLock { $0.stopped } }
    func stop() { value.withLock { $0.stopped = true } }
    func finish() { value.withLock { $0.finished = true } }
    func finished() async {
        while !value.withLock({ $0.finished }) { try? await Task.sleep(for: .milliseconds(10)) }
    }
}

/// A count one thread raises and another reads.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
