import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// The alert history, queryable (Alertmanager keeps none).
struct AlertRoutes: Sendable {
    let alerts: AlertService

    func add(to groups: AccessGroups) {
        groups.viewers.get("/api/v1/alerts/history") { request, _ in
            let rule = request.uri.queryParameters.get("rule")
            let limit = min(1000, request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 200)
            return try JSONResponse.encode(AlertHistory(events: try await alerts.history(rule: rule, limit: limit).map(AlertEventRecord.init)))
        }
    }
}

struct AlertHistory: Encodable { var events: [AlertEventRecord] }

struct AlertEventRecord: Encodable {
    var at: Int64
    var rule: String
    var labels: String
    var event: String
    var severity: String
    /// JSON has no NaN or infinities: those are sent as null.
    @AlwaysSent var value: Double?

    init(_ event: AlertEvent) {
        (at, rule, labels, self.event, severity) = (event.at, event.rule, event.labels, event.event, event.severity)
        value = event.value.flatMap { $0.isFinite ? $0 : nil }
    }
}
