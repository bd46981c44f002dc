import AlmanacReporting

/// A run as people read it: counts, the percentile spectrum of response and service time side
/// by side, the schedule's lag, and each threshold's verdict.
public enum LoadReport {
    public static func counts(_ summary: LoadSummary) -> ReportTable {
        let failures = summary.failures.map { "\($0.count) \($0.what)" }.joined(separator: "; ")
        let statuses = summary.statuses.map { "\($0.what): \($0.count)" }.joined(separator: ", ")
        var assetRows: [[String]] = []
        if let assets = summary.assets {
            let missing = (summary.missingAssets ?? []).map { "\($0.count) \($0.what)" }.joined(separator: "; ")
            assetRows = [["Assets fetched after their pages", String(assets)], ["Assets that failed", missing.isEmpty ? "none" : missing]]
        }
        return ReportTable(
            headers: ["Measure", "Value"],
            rows: [
                ["Duration", ReportFormat.number(summary.seconds) + " s"],
                ["Requests sent", String(summary.sent)],
                ["Responses", "\(summary.completed) (\(ReportFormat.number(summary.rate)) per second)"],
                ["Statuses", statuses.isEmpty ? "none" : statuses],
                ["Errors", "\(summary.errors) (\(percent(summary.errorRate)))"],
                ["No response", failures.isEmpty ? "none" : failures],
                ["Late by more than 1 ms", "\(summary.late) (\(percent(summary.lateRate)))"],
                ["Dropped (never sent)", "\(summary.dropped) (\(percent(summary.droppedRate)))"],
            ] + assetRows)
    }

    public static func spectrum(_ summary: LoadSummary) -> ReportTable {
        let rows: [(String, KeyPath<Spectrum, Double>)] = [
            ("mean", \.mean), ("p50", \.p50), ("p75", \.p75), ("p90", \.p90), ("p95", \.p95), ("p99", \.p99), ("p99.9", \.p999),
            ("p99.99", \.p9999), ("max", \.max),
        ]
        return ReportTable(
            headers: ["Percentile", "Response time (ms, from the intended start)", "Service time (ms, from sending)", "Schedule lag (ms)"],
            rows: rows.map { name, path in
                [name, ms(summary.response[keyPath: path]), ms(summary.service[keyPath: path]), ms(summary.lag[keyPath: path])]
            })
    }

    public static func thresholds(_ results: [ThresholdResult]) -> ReportTable {
        ReportTable(headers: ["Threshold", "Measured", "Result"], rows: results.map { [$0.threshold, $0.value, $0.passed ? "passed" : "FAILED"] })
    }

    public static func text(_ record: LoadRun, markdown: Bool) -> String {
        let render: (ReportTable) -> String = { markdown ? $0.markdown() : $0.text() }
        var out = (markdown ? "# " : "") + "Load test \(record.test) (\(record.service))\n\n"
        if let aborted = record.aborted { out += "Stopped early, results are partial: \(aborted)\n\n" }
        out += render(counts(record.summary)) + "\n\n" + render(spectrum(record.summary)) + "\n"
        if let steps = record.steps { out += "\n" + render(saturation(steps)) + "\n" }
        if let rate = record.sustainableRate { out += "\nHighest sustainable rate: \(ReportFormat.number(rate)) requests/s\n" }
        if let usage = record.usage { out += "\n" + render(self.usage(usage)) + "\n" }
        if !record.revisions.isEmpty {
            out +=
                "\nRevisions: " + record.revisions.map { "\($0.host) \($0.revision.prefix(7))" }.joined(separator: ", ") + "\n"
        }
        if !record.thresholds.isEmpty { out += "\n" + render(thresholds(record.thresholds)) + "\n" }
        let failed = record.thresholds.filter { !$0.passed }.map(\.threshold)
        if !failed.isEmpty { out += "\nThreshold failed: \(failed.joined(separator: ", "))\n" }
        return out
    }

    public static func saturation(_ steps: [SaturationStep]) -> ReportTable {
        ReportTable(
            headers: ["Asked (req/s)", "Answered (req/s)", "p50 (ms)", "p99 (ms)", "Errors", "Verdict"],
            rows: steps.map {
                [
                    ReportFormat.number($0.rate), ReportFormat.number($0.achieved), ms($0.p50), ms($0.p99), percent($0.errorRate),
                    $0.passed ? "holds" : "fails: " + $0.failed.joined(separator: "; "),
                ]
            })
    }

    public static func usage(_ usage: Usage) -> ReportTable {
        var rows: [[String]] = []
        if let cpu = usage.cpuMillisecondsPerRequest { rows.append(["CPU per request", ReportFormat.number(cpu) + " ms"]) }
        if let peak = usage.memoryPeakBytes { rows.append(["Peak resident memory", bytes(peak)]) }
        if let each = usage.memoryPerConcurrentRequestBytes { rows.append(["Memory per request in flight", bytes(each)]) }
        rows.append(["Read from", (usage.cpuSeries + usage.memorySeries).joined(separator: ", ")])
        return ReportTable(headers: ["Cost", "Value"], rows: rows)
    }

    static func bytes(_ value: Double) -> String {
        let units: [(Double, String)] = [(1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB")]
        for (size, unit) in units where value >= size { return ReportFormat.number(value / size) + " " + unit }
        return ReportFormat.number(value) + " B"
    }

    /// Milliseconds as reports and pages write them: two decimals below 100, whole above.
    public static func ms(_ value: Double) -> String { value >= 100 ? String(Int(value.rounded())) : String((value * 100).rounded() / 100) }
    public static func percent(_ value: Double) -> String { String((value * 10000).rounded() / 100) + "%" }
}
