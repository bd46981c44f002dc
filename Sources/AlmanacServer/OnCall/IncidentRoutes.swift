import AlmanacCharts
import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import Hummingbird
import NIOCore

/// Incidents through the API and as pages: the list, one incident's timeline, its postmortem
/// draft in Markdown; operators open one, add notes and resolve it with a summary.
struct IncidentRoutes: Sendable {
    let service: IncidentService
    let renderer: PageRenderer
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]
    let maximumBodyBytes: Int

    static let templates = ["incidents": IncidentPages.listTemplate, "incident": IncidentPages.template]

    func add(to groups: AccessGroups) {
        let operators = groups.writers(.operate(team: nil))
        groups.viewers.get("/api/v1/incidents") { _, _ in
            try JSONResponse.encode(["incidents": try await service.recent().map { Record($0.incident, open: $0.open, timeline: nil) }])
        }
        groups.viewers.get("/api/v1/incidents/:id") { _, context in
            guard let (incident, open) = try await lookup(context) else { return try missing(context) }
            return try JSONResponse.encode(Record(incident, open: open, timeline: try await timeline(incident)))
        }
        groups.viewers.get("/api/v1/incidents/:id/postmortem") { _, context in
            guard let (incident, _) = try await lookup(context) else { return try missing(context) }
            var gathered = incident
            gathered.events = try await timeline(incident)
            let text = gathered.postmortem(firing: try await service.firing(incident))
            return Response(
                status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        operators.post("/api/v1/incidents") { request, context in
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            return try await answer(.created) {
                try await service.open(
                    title: body["title"]?.stringValue ?? "", service: body["service"]?.stringValue, by: context.actor ?? "operator")
            }
        }
        operators.post("/api/v1/incidents/:id/notes") { request, context in
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            let id = try context.parameters.require("id")
            return try await answer(.ok) { try await service.note(id: id, text: body["text"]?.stringValue ?? "", by: context.actor ?? "operator") }
        }
        operators.post("/api/v1/incidents/:id/resolve") { request, context in
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            let id = try context.parameters.require("id")
            return try await answer(.ok) {
                try await service.resolve(id: id, summary: body["summary"]?.stringValue ?? "", by: context.actor ?? "operator")
            }
        }
        groups.viewers.get("/incidents") { _, context in
            let page = IncidentPages.List(try await service.recent())
            return renderer.page("incidents", title: "Incidents", actor: context.actor, context: page)
        }
        groups.viewers.get("/incidents/:id") { _, context in
            let (incident, open) = try await find(context)
            let page = IncidentPages.Page(incident, open: open, timeline: try await timeline(incident))
            return renderer.page("incident", title: "Incident: \(incident.title)", actor: context.actor, context: page)
        }
    }

    private func lookup(_ context: AlmanacRequestContext) async throws -> (Incident, Bool)? {
        try await service.incident(id: try context.parameters.require("id"))
    }

    /// The API's own error shape (`{"error": text}`), which the OpenAPI document promises.
    private func missing(_ context: AlmanacRequestContext) throws -> Response {
        JSONResponse.error(.notFound, "no incident \(try context.parameters.require("id"))")
    }

    private func find(_ context: AlmanacRequestContext) async throws -> (Incident, Bool) {
        guard let found = try await lookup(context) else {
            throw HTTPError(.notFound, message: "no incident \(try context.parameters.require("id"))")
        }
        return found
    }

    private func timeline(_ incident: Incident) async throws -> [Incident.Event] {
        try await service.timeline(incident) { from, to in
            try await changes(from, to).map { marker in
                let kind: Incident.Event.Kind =
                    switch marker.kind {
                    case .rollout: .rollout
                    case .rollback: .rollback
                    case .flag: .flag
                    }
                return IncidentService.Change(at: marker.time, kind: kind, text: marker.label)
            }
        }
    }

    private func answer(_ status: HTTPResponse.Status, _ body: () async throws -> Incident) async throws -> Response {
        do {
            return try JSONResponse.encode(Record(try await body(), open: true, timeline: nil), status: status)
        } catch let problem as IncidentService.Problem {
            switch problem {
            case .unknown: return JSONResponse.error(.notFound, problem.description)
            case .empty(let field): return JSONResponse.error(.badRequest, problem.description, field: field)
            }
        }
    }

    struct Record: Encodable {
        var id, title: String
        var service: String?
        var open: Bool
        var openedAt: Int64
        var openedBy: String
        var resolvedAt: Int64?
        var summary: String?
        var timeline: [Incident.Event]?

        init(_ incident: Incident, open: Bool, timeline: [Incident.Event]?) {
            id = incident.id
            title = incident.title
            service = incident.service
            self.open = open && incident.resolvedAt == nil
            openedAt = incident.openedAt
            openedBy = incident.openedBy
            resolvedAt = incident.resolvedAt
            summary = incident.summary
            self.timeline = timeline
        }
    }
}
