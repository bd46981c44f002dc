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
            repository: ConfigRepository(root: config), environment: nil, store: SQLFlagStore(database: database), logger: logger)
        let stop = Stopper()
        let reloads = Task {
            var count = 0
            while !stop.stopped {
                count += 1
                try TestServer.write(["flags/app.yaml": Self.set(count % 2 == 0 ? "a" : "b")], to: config)
                #expect(flags.reload(force: true))
            }
            return count
        }
        var sets: Set<String> = []
        for _ in 0..<3000 {
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
        let reloaded = try await reloads.value
        #expect(reloaded > 10, "the files changed during the evaluations")
        #expect(sets == ["a", "b"], "both sets were seen")
        try await database.close()
    }
}

/// A flag one task sets and another reads.
final class Stopper: Sendable {
    private let value = Mutex(false)
    var stopped: Bool { value.withLock { $0 } }
    func stop() { value.withLock { $0 = true } }
}
