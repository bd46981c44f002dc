import AlmanacAlerts
import AlmanacConfig
import AlmanacMetrics
import Foundation
import Testing

@Suite struct RuleTests {
    static let text = """
        rules:
          - alert: DiskAlmostFull
            service: database
            series: node_filesystem_avail_bytes{mountpoint="/", fstype!~"tmpfs|overlay"}
            below: {warning: 20, critical: 5}
            hysteresis: 3
            for: 10m
            keep_firing_for: 5m
          - alert: DiskFullSoon
            series: node_filesystem_avail_bytes{mountpoint="/"}
            forecast: {below: 0, within: 7d, confidence: 0.8}
          - alert: ExporterSilent
            series: up{job="node"}
            absent: 5m
          - alert: ErrorsRising
            series: http_errors_total
            function: rate(5m)
            above: 2
        """

    static func rules(_ text: String = text) throws(ConfigError) -> [AlertRule] {
        try RuleFile.parse(try ConfigDocument.parse(text, file: "monitoring/rules/disk.yaml"))
    }

    @Test func parsesEveryKind() throws {
        let rules = try Self.rules()
        #expect(rules.map(\.name) == ["DiskAlmostFull", "DiskFullSoon", "ExporterSilent", "ErrorsRising"])
        #expect(rules[0].pendingFor == 600_000 && rules[0].keepFiringFor == 300_000 && rules[0].service == "database")
        #expect(rules[3].function == .rate(window: 300_000))
        #expect(rules[0].selector.matches(name: "node_filesystem_avail_bytes", labels: [Label("mountpoint", "/"), Label("fstype", "ext4")]))
        #expect(!rules[0].selector.matches(name: "node_filesystem_avail_bytes", labels: [Label("mountpoint", "/"), Label("fstype", "tmpfs")]))
        #expect(!rules[0].selector.matches(name: "node_filesystem_size_bytes", labels: [Label("mountpoint", "/")]))
    }

    @Test(arguments: [
        (
            "rules:\n  - alert: A\n    series: x{a=\"1\"\n    above: 1\n",
            "monitoring/rules/disk.yaml:3: rules[0].series: expected ',' or '}' at position 8 of 'x{a=\"1\"'"
        ),
        (
            "rules:\n  - alert: A\n    series: x\n    above: 1\n    below: 2\n",
            "monitoring/rules/disk.yaml:2: rules[0]: a rule needs exactly one of above, below, forecast, absent"
        ),
        (
            "rules:\n  - alert: A\n    series: x\n    above: {warning: 5, critical: 1}\n",
            "monitoring/rules/disk.yaml:4: rules[0].above: the critical level must be beyond the warning level"
        ),
        (
            "rules:\n  - alert: A\n    series: x\n    above: 1\n    function: median(5m)\n",
            "monitoring/rules/disk.yaml:5: rules[0].function: unknown function 'median'"
        ),
        (
            "rules:\n  - alert: A\n    series: x\n    above: 1\n  - alert: A\n    series: y\n    above: 1\n",
            "monitoring/rules/disk.yaml:5: rules[1].alert: a second rule named 'A'"
        ),
        (
            "rules:\n  - alert: A\n    series: x{a=~\"(\"}\n    above: 1\n",
            "monitoring/rules/disk.yaml:3: rules[0].series: invalid regular expression '(' at position 6 of 'x{a=~\"(\"}'"
        ),
        (
            "rules:\n  - alert: A\n    series: x\n    above: 1\n    for: soon\n",
            "monitoring/rules/disk.yaml:5: rules[0].for: must be a duration such as 15s, 1m or 2h"
        ),
    ])
    func reportsMistakes(text: String, message: String) {
        do {
            _ = try Self.rules(text)
            Issue.record("accepted")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func functions() {
        let counter = [0.0, 10, 20, 5, 15].enumerated().map { Sample(timestamp: Int64($0.offset) * 60_000, value: $0.element) }
        // Prometheus's rate: increases 10, 10, reset to 5 (counts 5), 10: 35, not extrapolated before
        // a counter that starts at zero, over the 300 s window.
        #expect(RuleEvaluator.apply(.rate(window: 300_000), to: counter, now: 240_000) == 35.0 / 300)
        // Over (60 s, 240 s]: 5 after the reset and 10, extrapolated a spacing back to the window's start.
        let extrapolated: Double = 15.0 * 180 / 120 / 180
        #expect(RuleEvaluator.apply(.rate(window: 180_000), to: counter, now: 240_000) == extrapolated)
        #expect(RuleEvaluator.apply(.maximum(window: 300_000), to: counter, now: 240_000) == 20)
        #expect(RuleEvaluator.apply(.average(window: 120_000), to: counter, now: 240_000) == 10)
        #expect(RuleEvaluator.apply(.last, to: counter, now: 240_000) == 15)
        #expect(RuleEvaluator.apply(.last, to: counter, now: 240_000 + 6 * 60_000) == nil, "stale after five minutes")
    }
}
