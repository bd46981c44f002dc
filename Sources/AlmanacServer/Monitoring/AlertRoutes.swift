import AlmanacConfig
import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// The alert history, queryable (Alertmanager keeps none).
struct AlertRoutes: Sendable {
    let store: SQLAlertStore

    func add(to groups: AccessGroups) {
        groups.viewers.get("/api/v1/alerts/history") { request, _ in
            let rule = request.uri.queryParameters.get("rule")
            let limit = min(1000, request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 200)
            let events = try await store.history(rule: rule, limit: limit)
            return JSONResponse.make(
                .ok,
                .object([
                    "events": .array(
                        events.map { e in
                            [
                                "at": .int(e.at), "rule": .string(e.rule), "labels": .string(e.labels), "event": .string(e.event),
                                "severity": .string(e.severity), "value": e.value.map { $0.isFinite ? .double($0) : .null } ?? .null,
                            ]
                        })
                ]))
        }
    }
}
