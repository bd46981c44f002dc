import AlmanacCatalog
import AlmanacConfig
import AlmanacFlags
import AlmanacForecast
import AlmanacOnCall
import AlmanacReporting
import AlmanacStorage
import AlmanacTrends

/// What the monthly meeting should look at, from the other domains' findings.
public enum MeetingItems {
    static let day: Int64 = 86_400_000

    public static func items(
        trends: [TrendReport.Record], catalog: Catalog, stale: [StaleFinding], incidents: [(incident: Incident, open: Bool)],
        checks: [TimelineStore.Event] = [], drills: [ReceiptStore.Row] = [], now: Int64
    ) -> [MeetingItem] {
        var out: [MeetingItem] = []
        for trend in trends {
            let series =
                trend.name
                + (trend.labels.isEmpty
                    ? ""
                    : "{"
                        + trend.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
                        .joined(separator: ",") + "}")
            let growth = "\(ReportFormat.signed(trend.perDay)) a day"
            if trend.threshold != nil, trend.observedMs < Forecaster.minimumHistory {
                out.append(
                    MeetingItem(
                        key: "thin:\(trend.service):\(series)", section: .crossings,
                        title: "\(trend.service): \(series) has too little history for a forecast",
                        detail: "\(DurationText.span(trend.observedMs)) of data, no forecast yet: one needs "
                            + "\(DurationText.span(Forecaster.minimumHistory))"))
                continue
            }
            if let threshold = trend.threshold, let when = trend.crossingLikely ?? trend.crossingEarliest, when <= now + 183 * day {
                let range = [trend.crossingEarliest, trend.crossingLatest].map { $0.map(ReportFormat.date) ?? "open" }.joined(separator: " to ")
                out.append(
                    MeetingItem(
                        key: "crossing:\(trend.service):\(series)", section: .crossings,
                        title: "\(trend.service): \(series) reaches \(ReportFormat.number(threshold)) around \(ReportFormat.date(when))",
                        detail: "now \(ReportFormat.number(trend.current)), \(growth); likely \(ReportFormat.date(when)) (\(range))"
                            + (trend.rule.map { ", rule \($0)" } ?? "")))
            } else if let threshold = trend.threshold, threshold != 0, abs(threshold - trend.current) / abs(threshold) < 0.1 {
                out.append(
                    MeetingItem(
                        key: "near:\(trend.service):\(series)", section: .near,
                        title: "\(trend.service): \(series) is within 10% of \(ReportFormat.number(threshold))",
                        detail: "now \(ReportFormat.number(trend.current)), \(growth)" + (trend.rule.map { ", rule \($0)" } ?? "")))
            }
            if let changed = trend.growthChangedAt, changed >= now - 31 * day, let before = trend.growthBeforePerDay,
                let after = trend.growthAfterPerDay, abs(after) > abs(before)
            {
                out.append(
                    MeetingItem(
                        key: "pace:\(trend.service):\(series)", section: .pace,
                        title: "\(trend.service): \(series) grows faster since \(ReportFormat.date(changed))",
                        detail: "\(ReportFormat.signed(before)) a day before, \(ReportFormat.signed(after)) a day since"))
            }
        }
        for (incident, open) in incidents where incident.openedAt >= now - 31 * day {
            let state = open && incident.resolvedAt == nil ? "still open" : "resolved: \(incident.summary ?? "no summary")"
            out.append(
                MeetingItem(
                    key: "incident:\(incident.id)", section: .incidents, title: "\(incident.title) (\(ReportFormat.date(incident.openedAt)))",
                    detail: "\(state); postmortem draft at /api/v1/incidents/\(incident.id)/postmortem"))
        }
        for risk in Coverage(catalog: catalog).criticalAtRisk() {
            let thin = risk.thin.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) \($0.value == 1 ? "person" : "people"))" }
            out.append(
                MeetingItem(
                    key: "skills:\(risk.service)", section: .skills, title: "\(risk.service) (\(risk.tier.rawValue))",
                    detail: "too few people can fix " + thin.joined(separator: ", ")))
        }
        for finding in stale {
            out.append(
                MeetingItem(
                    key: "flag:\(finding.flagKey):\(finding.kind.rawValue)", section: .flags, title: "\(finding.flagKey): \(finding.kind.rawValue)",
                    detail: finding.detail + (finding.owner.map { " (owner \($0))" } ?? "")))
        }
        let failed = Dictionary(grouping: checks.filter { $0.event == "hard" && $0.status != "OK" && $0.at >= now - 31 * day }, by: \.check)
        for (check, events) in failed.sorted(by: { $0.key < $1.key }) {
            let last = events.max { $0.at < $1.at }
            out.append(
                MeetingItem(
                    key: "check:\(check)", section: .checks, title: "\(check) failed \(events.count) \(events.count == 1 ? "time" : "times")",
                    detail: "last \(last.map { ReportFormat.moment($0.at, seconds: false) } ?? ""): \(last?.message ?? "")"))
        }
        for (backup, rows) in Dictionary(grouping: drills.filter { !$0.passed && $0.startedAt >= now - 31 * day }, by: \.backup)
            .sorted(by: { $0.key < $1.key })
        {
            out.append(
                MeetingItem(
                    key: "drill:\(backup)", section: .drills,
                    title: "\(backup): \(rows.count) restore \(rows.count == 1 ? "drill" : "drills") failed",
                    detail: "last on \(ReportFormat.date(rows.map(\.startedAt).max() ?? now)); see /backups/\(backup)"))
        }
        return out
    }

    /// Everything the meeting reads, from the database and the files.
    public static func gather(
        database: Database, trends: TrendCollector, catalog: Catalog, flags: FlagSet, clock: WallClock
    ) async throws -> [MeetingItem] {
        let now = clock.milliseconds()
        let records = try await trends.report(now: now).records
        let usage = try await SQLFlagStore(database: database).usage(sinceHour: now / 3_600_000 - 30 * 24)
        let stale = StaleFlags.findings(flags: flags, usage: usage, today: DayStamp(unixSeconds: now / 1000), windowDays: 30)
        let incidents = try await IncidentService(database: database, clock: clock).recent()
        let checks = try await TimelineStore(database: database).events(from: now - 31 * day, to: now, limit: 1000)
        let drills = try await ReceiptStore(database: database).receipts(limit: 500)
        return items(trends: records, catalog: catalog, stale: stale, incidents: incidents, checks: checks, drills: drills, now: now)
    }
}
