import AlmanacAlerts
import AlmanacMetrics
import Foundation
import Testing

/// The alert lifecycle, step by step, with arrays and a clock: no server.
@Suite struct AlertTrackerTests {
    let minute: Int64 = 60_000
    let disk = [Label("instance", "db1"), Label("mountpoint", "/")]

    func series(_ value: Double, at now: Int64) -> [SeriesData] {
        [SeriesData(name: "node_filesystem_avail_bytes", labels: disk, samples: [Sample(timestamp: now, value: value)])]
    }

    func step(_ tracker: inout AlertTracker, _ rule: AlertRule, value: Double, minute m: Int64) -> [String] {
        let now = m * minute
        let results = RuleEvaluator.evaluate(rule, series: series(value, at: now), now: now, firing: tracker.firing(rule: rule.name))
        return tracker.update(rule: rule, results: results, now: now).map { transition in
            switch transition {
            case .fired(let a): return "fired \(a.severity.rawValue)"
            case .severityChanged(let a, let from): return "\(from.rawValue)->\(a.severity.rawValue)"
            case .resolved: return "resolved"
            }
        }
    }

    @Test func pendingFiringKeepFiringAndHysteresis() throws {
        let rule = try RuleTests.rules()[0]  // below warning 20, critical 5, hysteresis 3, for 10m, keep_firing_for 5m
        var tracker = AlertTracker()
        var log: [String] = []
        let values: [Double] = [50, 19, 18, 17, 15, 12, 10, 8, 6, 4, 4, 4, 21, 22, 22, 22, 22, 22, 24, 30, 30, 30, 30, 30]
        for (m, v) in values.enumerated() {
            log += step(&tracker, rule, value: v, minute: Int64(m) * 1).map { "m\(m): \($0)" }
        }
        // Pending from minute 1; fires at minute 11 (10 m later) as critical (value 4).
        // At 21-22 it stays within hysteresis (20 + 3) and keeps firing; at 24 (minute 18) it
        // clears, and keep_firing_for holds it 5 minutes past minute 17: resolved at minute 22.
        #expect(log == ["m11: fired critical", "m12: critical->warning", "m22: resolved"])
    }

    @Test func aConditionThatClearsBeforeForNeverFires() throws {
        let rule = try RuleTests.rules()[0]
        var tracker = AlertTracker()
        var log: [String] = []
        for (m, v) in [19.0, 18, 17, 30, 30].enumerated() { log += step(&tracker, rule, value: v, minute: Int64(m)) }
        #expect(log.isEmpty)
        #expect(tracker.alerts.isEmpty)
    }

    @Test func restoredStateDoesNotFireAgain() throws {
        let rule = try RuleTests.rules()[3]  // rate above 2, no for
        var tracker = AlertTracker()
        let counter = (0..<10).map { Sample(timestamp: Int64($0) * minute, value: Double($0) * 600) }  // 10/s
        let data = [SeriesData(name: "http_errors_total", labels: [Label("job", "web")], samples: counter)]
        let first = tracker.update(rule: rule, results: RuleEvaluator.evaluate(rule, series: data, now: 9 * minute), now: 9 * minute)
        #expect(first.count == 1)
        // A restart: the state comes back from storage and the same condition sends nothing new.
        var restored = try JSONDecoder().decode(AlertTracker.self, from: JSONEncoder().encode(tracker))
        let again = restored.update(rule: rule, results: RuleEvaluator.evaluate(rule, series: data, now: 10 * minute), now: 10 * minute)
        #expect(again.isEmpty)
        #expect(restored.alerts.values.first?.state == .firing)
    }

    @Test func absentFiresForMissingAndSilentSeries() throws {
        let rule = try RuleTests.rules()[2]  // up{job="node"} absent 5m
        let none = RuleEvaluator.evaluate(rule, series: [], now: 10 * minute)
        #expect(none == [RuleResult(labels: [Label("job", "node")], value: nil, severity: .critical)])
        let quiet = [SeriesData(name: "up", labels: [Label("job", "node")], samples: [Sample(timestamp: 0, value: 1)])]
        #expect(RuleEvaluator.evaluate(rule, series: quiet, now: 4 * minute).first?.severity == nil)
        #expect(RuleEvaluator.evaluate(rule, series: quiet, now: 6 * minute).first?.severity == .critical)
    }

    @Test func forecastRuleWarnsBeforeTheDiskFills() throws {
        let rule = try RuleTests.rules()[1]  // below 0 within 7 days
        let hour: Int64 = 3_600_000
        // 10 days of free space falling 10 units a day from 100: empty at day 10, i.e. now.
        let falling = (0..<(9 * 24)).map { Sample(timestamp: Int64($0) * hour, value: 100 - 10 * Double($0) / 24) }
        let flat = (0..<(9 * 24)).map { Sample(timestamp: Int64($0) * hour, value: 80 + Double($0 % 7)) }
        let now = Int64(9 * 24 - 1) * hour
        let results = RuleEvaluator.evaluate(
            rule,
            series: [
                SeriesData(name: "node_filesystem_avail_bytes", labels: [Label("mountpoint", "/"), Label("instance", "a")], samples: falling),
                SeriesData(name: "node_filesystem_avail_bytes", labels: [Label("mountpoint", "/"), Label("instance", "b")], samples: flat),
            ], now: now)
        #expect(results.map(\.severity) == [.critical, nil])
    }
}
