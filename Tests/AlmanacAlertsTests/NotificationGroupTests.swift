import AlmanacConfig
import AlmanacMetrics
import Foundation
import Testing

@testable import AlmanacAlerts

@Suite struct NotificationGroupTests {
    static func alert(_ rule: String, _ server: String, _ severity: Severity = .critical, state: Alert.State = .firing, at: Int64 = 0) -> Alert {
        Alert(
            rule: rule, labels: [Label("server", server)], state: state, severity: severity, value: 1, activeAt: at, firedAt: at,
            lastActiveAt: at, resolvedAt: state == .resolved ? at : nil)
    }

    static func notified(_ alert: Alert, service: String = "db", acknowledged: Bool = false) -> NotifiedAlert {
        var n = NotifiedAlert(alert, rule: nil, acknowledged: acknowledged)
        n.service = service
        return n
    }

    static var route: Route {
        var r = Route()
        r.groupBy = ["service"]
        r.groupWait = 30_000
        r.groupInterval = 300_000
        r.repeatInterval = 3_600_000
        return r
    }

    @Test func waitsForSiblingsThenSendsOneMessagePerGroup() {
        var groups = NotificationGroups()
        let disk = Self.notified(Self.alert("DiskFull", "off1"))
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 0).isEmpty)
        let load = Self.notified(Self.alert("LoadHigh", "off2"))
        let web = Self.notified(Self.alert("Errors", "web1"), service: "web")
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk, load, web], resolved: [], now: 10_000).isEmpty)
        let sent = groups.due(receiver: "ops", route: Self.route, firing: [disk, load, web], resolved: [], now: 30_000)
        #expect(sent.map(\.groupLabels) == [[Label("service", "db")]])
        #expect(sent.first?.firing.map(\.alert.rule) == ["DiskFull", "LoadHigh"])
        #expect(sent.first?.reason == .new)
        // The web group was first seen at 10 s: its wait ends at 40 s.
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk, load, web], resolved: [], now: 39_000).isEmpty)
        #expect(
            groups.due(receiver: "ops", route: Self.route, firing: [disk, load, web], resolved: [], now: 40_000).map(\.groupLabels) == [
                [Label("service", "web")]
            ])
    }

    @Test func changesWaitForTheGroupIntervalAndResolvedAlertsAreKeptUntilThen() {
        var groups = NotificationGroups()
        let disk = Self.notified(Self.alert("DiskFull", "off1"))
        let load = Self.notified(Self.alert("LoadHigh", "off2"))
        _ = groups.due(receiver: "ops", route: Self.route, firing: [disk, load], resolved: [], now: 0)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk, load], resolved: [], now: 30_000).count == 1)
        let resolved = Self.notified(Self.alert("LoadHigh", "off2", state: .resolved, at: 60_000))
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [resolved], now: 60_000).isEmpty)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 200_000).isEmpty)
        let sent = groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 330_000)
        #expect(sent.first?.reason == .changed)
        #expect(sent.first?.firing.map(\.alert.rule) == ["DiskFull"])
        #expect(sent.first?.resolved.map(\.alert.rule) == ["LoadHigh"])
        // A severity change is a change too.
        let warning = Self.notified(Self.alert("DiskFull", "off1", .warning))
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [warning], resolved: [], now: 630_000).first?.reason == .changed)
    }

    @Test func repeatsUnlessEveryAlertIsAcknowledged() {
        var groups = NotificationGroups()
        let disk = Self.notified(Self.alert("DiskFull", "off1"))
        _ = groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 0)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 30_000).count == 1)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 3_000_000).isEmpty)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 3_630_000).first?.reason == .repeated)
        let acknowledged = Self.notified(Self.alert("DiskFull", "off1"), acknowledged: true)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [acknowledged], resolved: [], now: 9_000_000).isEmpty)
    }

    @Test func resolvedAlertsNobodyHeardOfStayQuietAndGroupsAreForgotten() {
        var groups = NotificationGroups()
        let disk = Self.alert("DiskFull", "off1")
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [Self.notified(disk)], resolved: [], now: 0).isEmpty)
        let resolved = Self.notified(Self.alert("DiskFull", "off1", state: .resolved, at: 10_000))
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [], resolved: [resolved], now: 10_000).isEmpty)
        #expect(groups == NotificationGroups())
    }

    @Test func stateSurvivesARestart() throws {
        var groups = NotificationGroups()
        let disk = Self.notified(Self.alert("DiskFull", "off1"))
        _ = groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 0)
        #expect(groups.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 30_000).count == 1)
        var state = AlertingState()
        state.groups = groups
        let restored = try JSONDecoder().decode(AlertingState.self, from: try JSONEncoder().encode(state))
        var again = restored.groups
        #expect(again.due(receiver: "ops", route: Self.route, firing: [disk], resolved: [], now: 60_000).isEmpty)
    }

    @Test func silencesMatchRuleServiceAndLabelsAndRemind() throws {
        let silence = Silence(
            id: 3, matchers: #"{alertname="DiskFull", server=~"off[12]"}"#, startsAt: 0, endsAt: 10 * 86_400_000, createdBy: "ann", comment: "")
        #expect(silence.matches(Self.alert("DiskFull", "off1"), service: "db"))
        #expect(!silence.matches(Self.alert("DiskFull", "off3"), service: "db"))
        #expect(!silence.matches(Self.alert("LoadHigh", "off1"), service: "db"))
        let byService = Silence(id: 4, matchers: #"{service="db"}"#, startsAt: 0, endsAt: 1, createdBy: "ann", comment: "")
        #expect(byService.matches(Self.alert("LoadHigh", "off1"), service: "db"))
        #expect(!silence.isActive(at: 10 * 86_400_000))
        let week: Int64 = 7 * 86_400_000
        #expect(!silence.reminderDue(at: week - 1, after: week))
        #expect(silence.reminderDue(at: week, after: week))
        var reminded = silence
        reminded.remindedAt = week
        #expect(!reminded.reminderDue(at: week + 1000, after: week))
        #expect(throws: SelectorError.self) { try Silence.validate(matchers: "{}") }
    }

    /// A rollout's window for one host: the scrape's instance as named, or any port of a host
    /// named without one; dots are literal, and other hosts are not held back.
    @Test func hostMatchersFollowTheInstanceLabel() throws {
        func held(_ host: String, _ instance: String) throws -> Bool {
            try Selector(Silence.matchers(host: host)).matches(name: "HostDown", labels: [Label("instance", instance)])
        }
        #expect(try held("127.0.0.1:18411", "127.0.0.1:18411"))
        #expect(try !held("127.0.0.1:18411", "127.0.0.1:18412"))
        #expect(try held("off1.openfoodfacts.org", "off1.openfoodfacts.org:9100"))
        #expect(try held("off1.openfoodfacts.org", "off1.openfoodfacts.org"))
        #expect(try !held("off1.openfoodfacts.org", "off1xopenfoodfacts.org:9100"))
        #expect(try !held("off1", "off12:9100"))
        #expect(Silence.matchers(host: "off1.org") == #"{instance=~"off1\\.org(:[0-9]+)?"}"#)
    }

    @Test func receiverRoutesFromFile() throws {
        let text = """
            receivers:
              - name: chat
                slack: https://chat.example.org/hooks/x
                group_by: [service, server]
                group_wait: 30s
                group_interval: 0s
                repeat_interval: 12h
            """
        let receiver = try #require(try Receiver.parse(try ConfigDocument.parse(text, file: "n.yaml")).first)
        #expect(receiver.route.groupBy == ["service", "server"])
        #expect(receiver.route.groupWait == 30_000 && receiver.route.groupInterval == 0 && receiver.route.repeatInterval == 43_200_000)
        #expect(throws: ConfigError.self) {
            try Receiver.parse(try ConfigDocument.parse("receivers:\n  - name: x\n    webhook: http://a/\n    group_wait: soon\n", file: "n.yaml"))
        }
        #expect(throws: ConfigError.self) {
            try Receiver.parse(try ConfigDocument.parse("receivers:\n  - name: x\n    webhook: http://a/\n    repeat: 1h\n", file: "n.yaml"))
        }
    }
}
