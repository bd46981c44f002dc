import AlmanacAlerts
import AlmanacConfig
import AlmanacForecast
import AlmanacMetrics
import AlmanacReporting
import AlmanacRuntime
import AlmanacTrends

/// Monitoring's part of the home page: alerts firing or pending, and the nearest projected
/// crossings with their range.
extension MonitoringDomain {
    func attention() async -> [AttentionSection] {
        [await alertSection(), await crossingSection()]
    }

    private func alertSection() async -> AttentionSection {
        let more = NavigationEntry(title: "Alerts", path: "/alerts")
        do {
            let now = clock.milliseconds()
            let active = try await alertService.overview(now: now).alerts.filter { $0.alert.state != .resolved }
            let items = active.sorted { ($0.alert.state == .firing ? 0 : 1, $0.alert.rule) < ($1.alert.state == .firing ? 0 : 1, $1.alert.rule) }
                .map { view in
                    let alert = view.alert
                    let labels = alert.labels.filter { $0.name != "alertname" }.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
                    var detail = "\(alert.severity.rawValue), for \(DurationText.span(now - (alert.firedAt ?? alert.activeAt)))"
                    if let by = view.acknowledgedBy { detail += ", acknowledged by \(by)" }
                    if view.silencedBy != nil { detail += ", silenced" }
                    return AttentionItem(
                        "\(alert.rule) \(alert.state.rawValue)\(labels.isEmpty ? "" : " (\(labels))")", detail: detail, link: "/alerts",
                        level: alert.state == .firing && view.silencedBy == nil ? .critical : .warning)
                }
            return AttentionSection(id: "attention-alerts", title: "Alerts firing or pending", items: items, none: "No alert is firing.", more: more)
        } catch {
            return .failed(id: "attention-alerts", title: "Alerts firing or pending", more: more, error)
        }
    }

    private func crossingSection() async -> AttentionSection {
        let more = NavigationEntry(title: "Trends", path: "/trends")
        do {
            let report = try await config.current.trendCollector(store: series).report(now: clock.milliseconds())
            // A crossing only the far edge of the band reaches is noise, not news.
            let items = report.trends.ranked().filter { $0.crossing?.likely != nil }.prefix(5).map { trend in
                let crossing = trend.crossing!
                let days = { (at: Int64) in DurationText.days(at - trend.now) }
                let range = "between \(days(crossing.earliest)) and \(crossing.latest.map(days) ?? "more than a year")"
                let likely = crossing.likely.map { "in \(days($0)) days, " } ?? ""
                let labels = trend.subject.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
                let level = trend.subject.threshold.map(ReportFormat.number) ?? ""
                return AttentionItem(
                    "\(trend.subject.name){\(labels)} \(trend.subject.direction == .below ? "falls to" : "reaches") \(level) \(likely)\(range)",
                    detail: "\(trend.subject.service), \(ReportFormat.signed(trend.perDay))/day",
                    link: "/trends", level: crossing.earliest - trend.now < 7 * 86_400_000 ? .critical : .warning)
            }
            // Series too new to forecast say so, rather than show nothing or guess.
            let thin = report.trends.filter { $0.subject.threshold != nil && $0.observed < Forecaster.minimumHistory }.prefix(3).map { trend in
                let labels = trend.subject.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
                return AttentionItem(
                    "\(trend.subject.name){\(labels)}: too little history, \(DurationText.span(trend.observed)) of data, no forecast yet",
                    detail: "a forecast needs \(DurationText.span(Forecaster.minimumHistory))", link: "/trends", level: .info)
            }
            return AttentionSection(
                id: "attention-crossings", title: "Projected crossings", items: Array(items) + Array(thin),
                none: "No watched series is heading for its level.", more: more)
        } catch {
            return .failed(id: "attention-crossings", title: "Projected crossings", more: more, error)
        }
    }
}
