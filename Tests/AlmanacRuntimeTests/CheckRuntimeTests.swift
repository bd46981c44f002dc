import AlmanacAlerts
import AlmanacCatalog
import AlmanacChecks
import AlmanacConfig
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Foundation
import Logging
import Testing

/// Check results in a real SQLite store: a soft problem's attempts and the flap history survive
/// a restart, changes land in the timeline with their output, results become series; a plugin
/// that hangs is killed at its timeout and counts as CRITICAL.
@Suite struct CheckRuntimeTests {
    static func check(_ yaml: String) throws -> Check {
        try CheckFile.parse(try ConfigDocument.parse(yaml, file: "checks/a.yaml"), entities: nil)[0]
    }

    @Test func progressSurvivesARestartAndChangesReachTheTimeline() async throws {
        let data = try TestServer.temporaryDirectory()
        let check = try Self.check("checks:\n  - {name: web, entity: search, interval: 1s, attempts: 3, tcp: {host: 127.0.0.1, port: 9}}\n")
        let failed = ProbeResult(status: .critical, output: "TCP CRITICAL - connection refused", latency: 0.001)
        do {
            let database = try await Database.open(url: nil, dataDirectory: data, logger: Logger(label: "test"))
            let heads = SeriesHeads(store: SQLSeriesStore(database: database))
            let book = CheckBook(heads: heads, timeline: TimelineStore(database: database), logger: Logger(label: "test"))
            let first = try await book.record(check, failed, at: 1000).changes
            #expect(first.map(\.event) == ["soft"])
            #expect(try await book.record(check, failed, at: 2000).changes.isEmpty, "the same soft problem again: no change")
            try await heads.flush()
            try await database.close()
        }
        let database = try await Database.open(url: nil, dataDirectory: data, logger: Logger(label: "test"))
        let store = SQLSeriesStore(database: database)
        let heads = SeriesHeads(store: store)
        let timeline = TimelineStore(database: database)
        let book = CheckBook(heads: heads, timeline: timeline, logger: Logger(label: "test"))
        #expect(try await book.current(check).tracker.attempt == 2, "the attempts so far are remembered")
        #expect(try await book.record(check, failed, at: 3000).changes.map(\.event) == ["hard"], "the third in a row is hard, restart or not")
        let recovered = try await book.record(check, ProbeResult(status: .ok, output: "TCP OK", latency: 0.001), at: 4000).changes
        #expect(recovered.map(\.event) == ["recovered"])
        let events = try await timeline.events(check: "web")
        #expect(events.map(\.event) == ["recovered", "hard", "soft"] && events[1].output == "TCP CRITICAL - connection refused")
        try await heads.flush()
        let up = try await StoredSeriesSource(store: store, steps: []).select(try Selector("almanac_check_up{check=\"web\"}"), from: 0, to: 5000)
        #expect(up.first?.samples.map(\.value) == [0, 0, 0, 1])
        try await database.close()
    }

    @Test func aPluginThatHangsIsKilledAtItsTimeout() async throws {
        let script = try TestServer.temporaryDirectory() + "/check_hang"
        try "#!/bin/sh\nsleep 30\necho 'never'\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let check = try Self.check("checks:\n  - {name: hang, entity: search, interval: 1s, timeout: 300ms, command: \"\(script)\"}\n")
        let started = Date()
        let result = await CheckProbes(clock: .system, logger: Logger(label: "test")).run(check)
        #expect(result.status == .critical && result.output.contains("timed out after 0.3 s"), "\(result.output)")
        // Well under the plugin's 30 seconds, with room for a loaded CI machine starting processes slowly.
        #expect(Date().timeIntervalSince(started) < 25, "the plugin did not hold the check for its 30 seconds")

        let warn = try TestServer.temporaryDirectory() + "/check_warn"
        try "#!/bin/sh\necho 'LOAD WARNING - 5.1 | load1=5.1;4;8;0'\nexit 1\n".write(toFile: warn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: warn)
        let warning = await CheckProbes(clock: .system, logger: Logger(label: "test")).run(
            try Self.check("checks:\n  - {name: load, entity: search, interval: 1s, command: \"\(warn)\"}\n"))
        #expect(warning.status == .warning && warning.output == "LOAD WARNING - 5.1" && warning.metrics.first?.value == 5.1)
    }
}
