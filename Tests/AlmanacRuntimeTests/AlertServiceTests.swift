import AlmanacAlerts
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Logging
import Testing

/// People's decisions about alerts, on a real SQLite file, without HTTP.
@Suite struct AlertServiceTests {
    func withService(_ body: (AlertService) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let config = try TestServer.temporaryDirectory()
        try TestServer.write(
            ["monitoring/rules/r.yaml": "rules:\n  - alert: DiskFull\n    service: database\n    series: disk_used\n    above: {critical: 90}\n"],
            to: config)
        let database = try await Database.open(url: nil, dataDirectory: try TestServer.temporaryDirectory(), logger: logger)
        do {
            try await body(
                AlertService(
                    store: SQLAlertStore(database: database), config: try MonitoringConfig(configDirectory: config, clock: .system, logger: logger),
                    clock: .system))
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }

    @Test func silencesAreCheckedFieldByField() async throws {
        try await withService { service in
            func problem(_ matchers: String, _ end: AlertService.SilenceEnd?, _ comment: String) async -> String? {
                do {
                    _ = try await service.silence(matchers: matchers, until: end, comment: comment, actor: "ann", now: 1000)
                    return nil
                } catch let AlertService.Problem.invalid(field, _) {
                    return field
                } catch {
                    return "\(error)"
                }
            }
            #expect(await problem("", .after("2h"), "why") == "matchers")
            #expect(await problem("{}", .after("2h"), "why") == "matchers", "a silence of everything is refused")
            #expect(await problem("{server=\"off2\"}", .after("2h"), "") == "comment")
            #expect(await problem("{server=\"off2\"}", .after("two hours"), "why") == "duration")
            #expect(await problem("{server=\"off2\"}", .at(500), "why") == "duration", "an end in the past")
            #expect(await problem("{server=\"off2\"}", nil, "why") == "duration")
            let silence = try await service.silence(
                matchers: "{service=\"database\"}", until: .after("2h"), comment: "moving disks", actor: "ann", now: 1000)
            #expect(silence.id > 0 && silence.endsAt == 1000 + 7_200_000)
            #expect(try await service.expire(silence: silence.id, actor: "bob", now: 2000))
            #expect(try await !service.expire(silence: silence.id, actor: "bob", now: 3000), "already ended")
        }
    }

    @Test func acknowledgingAnAlertThatIsNotActiveSaysSo() async throws {
        try await withService { service in
            await #expect {
                try await service.acknowledge(rule: "DiskFull", labels: [Label("server", "off2")], comment: "on it", actor: "ann")
            } throws: { error in
                if case AlertService.Problem.noSuchAlert = error { return true }
                return false
            }
            let overview = try await service.overview()
            #expect(overview.alerts.isEmpty && overview.silences.isEmpty)
        }
    }
}
