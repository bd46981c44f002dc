import AlmanacCharts
import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage

/// A flag page's ramp: the plan, where it stands and why, its share over time as a chart with
/// each move marked, and the buttons a person of the flag's team may press.
struct RampSection {
    var variant, control, plan, status, percent, guards: String
    var reason: String?
    var stopped: Bool
    var chart: String
    var actions: [String]
    var key: String
    var hasActions: Bool

    init(key: String, flag: Flag, spec: RampSpec, position: RampPosition?, audit: [AuditEntry], now: Int64) {
        self.key = key
        variant = spec.variant
        control = flag.defaultVariant ?? "the caller's default"
        plan =
            spec.steps.map { Self.percentText($0) }.joined(separator: " → ") + ", every \(DurationText.span(spec.every)); "
            + (spec.onFailure == .revert ? "a failing guard reverts to 0%" : "a failing guard holds")
        status = position?.status.rawValue ?? "not started"
        percent = Self.percentText(position?.percent ?? 0)
        reason = position?.reason
        stopped = position.map { $0.status == .held || $0.status == .reverted } ?? false
        var named = spec.slos.map { "SLO \($0.slo) burning at most \(ConfigNumber.text($0.maxBurn))× over the last hour" }
        named += spec.alerts.map { "alert \($0) not firing" }
        named += spec.guardrails.map { "\($0.name) of \(spec.variant) at most \(Self.percentText($0.margin * 100)) worse than control" }
        guards = named.isEmpty ? "none: it steps on time alone" : named.joined(separator: "; ")
        actions = Self.actions(position?.status)
        hasActions = !actions.isEmpty
        chart = Self.chart(key: key, spec: spec, audit: audit, position: position, now: now)
    }

    static func percentText(_ value: Double) -> String { ConfigNumber.text(value) + "%" }

    static func actions(_ status: RampPosition.Status?) -> [String] {
        switch status {
        case .running?: return ["hold", "revert", "restart"]
        case .held?: return ["resume", "revert", "restart"]
        case .reverted?, .complete?: return ["restart"]
        case nil: return []
        }
    }

    /// The share over time from the audit log's ramp moves, oldest first, drawn as steps; while it
    /// runs, the steps still to come on the plan's schedule (if every guard holds) follow as the band.
    static func chart(key: String, spec: RampSpec, audit: [AuditEntry], position: RampPosition?, now: Int64) -> String {
        let moves = audit.filter { $0.action.hasPrefix("ramp-") }.sorted { $0.id < $1.id }
        var points: [TimeChart.Point] = []
        var markers: [ChartMarker] = []
        for move in moves {
            guard let share = move.after.flatMap(RampPosition.percent(summary:)) else { continue }
            if let last = points.last { points.append(TimeChart.Point(time: move.at, value: last.value)) }
            points.append(TimeChart.Point(time: move.at, value: share / 100))
            markers.append(
                ChartMarker(time: move.at, kind: move.action == "ramp-revert" ? .rollback : .flag, label: "\(move.action): \(move.after ?? "")"))
        }
        if let last = points.last { points.append(TimeChart.Point(time: max(now, last.time), value: (position?.percent ?? last.value * 100) / 100)) }
        var plan: [TimeChart.BandPoint] = []
        if let position, position.status == .running, let last = points.last {
            var share = position.percent / 100
            plan.append(.init(time: last.time, low: share, likely: share, high: share))
            for (index, step) in spec.steps.enumerated() where index > position.step {
                let at = position.since + Int64(index - position.step) * spec.every
                plan.append(.init(time: at, low: share, likely: share, high: share))
                share = step / 100
                plan.append(.init(time: at, low: share, likely: share, high: share))
            }
        }
        var chart = TimeChart(title: "\(key): share of users on the ramp's variant, and the plan ahead", history: points, forecast: plan)
        chart.unit = .ratio
        chart.bandLabels = ("the plan, if every guard holds", nil)
        chart.markers = markers
        return chart.svg()
    }
}
