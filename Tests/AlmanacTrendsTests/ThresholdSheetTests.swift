import AlmanacAlerts
import AlmanacConfig
import Testing

@testable import AlmanacTrends

@Suite struct ThresholdSheetTests {
    static let rules = """
        rules:
          - alert: DiskAlmostFull
            service: database
            series: node_filesystem_avail_bytes{mountpoint="/"}
            below: {warning: 20e9, critical: 5e9}
            hysteresis: 1e9
            for: 10m
            runbook: https://wiki.example/disk
          - alert: DiskFullSoon
            service: database
            series: node_filesystem_avail_bytes{mountpoint="/"}
            forecast: {below: 0, within: 7d, confidence: 0.9}
          - alert: ApiErrors
            service: api
            series: http_errors_total
            function: rate(5m)
            above: {critical: 5}
          - alert: ExporterSilent
            service: api
            series: up{job="node"}
            absent: 5m
        """

    @Test func everyRuleWithItsLevelsByService() throws {
        let sheet = ThresholdSheet(rules: try RuleFile.parse(try ConfigDocument.parse(Self.rules, file: "monitoring/rules/disk.yaml")))
        #expect(sheet.records.map(\.rule) == ["ApiErrors", "ExporterSilent", "DiskAlmostFull", "DiskFullSoon"])
        let disk = sheet.records[2]
        #expect(disk.warning == 20e9 && disk.critical == 5e9 && disk.direction == "below" && disk.hysteresis == 1e9)
        #expect(disk.pendingFor == "10m" && disk.definedIn == "monitoring/rules/disk.yaml:2")
        let rows = sheet.table.rows
        #expect(rows[0] == ["api", "ApiErrors", "http_errors_total", "rate(5m) > level", "", "5", "0s", "monitoring/rules/disk.yaml:13"])
        #expect(rows[1][3] == "no sample for 5m")
        #expect(rows[2][3] == "last < level (hysteresis 1G)")
        #expect(rows[3][3] == "forecast last < level within 7d at 90%")
        #expect(sheet.markdown().contains("| database | DiskAlmostFull | node_filesystem_avail_bytes{mountpoint=\"/\"} |"))
    }
}
