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
            try JSONResponse.encode(IncidentList(incidents: try await service.recent().map { Record($0.incident, open: $0.open, timeline: nil) }))
        }
        groups.viewers.get("/api/v1/incidents/:id") { _, context in
            let (incident, open) = try await find(context)
            return try JSONResponse.encode(Record(incident, open: open, timeline: try await timeline(incident)))
        }
        groups.viewers.get("/api/v1/incidents/:id/postmortem") { _, context in
            let (incident, _) = try await find(context)
            var gathered = incident
            gathered.events = try await timeline(incident)
            let text = gathered.postmortem(firing: try await service.firing(incident))
            return Response(
                status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        operators.post("/api/v1/incidents") { request, context in
            let body = try await request.decode(IncidentRequest.self, limit: maximumBodyBytes)
            let incident = try await service.open(title: body.title ?? "", service: body.service, by: context.actor ?? "operator")
            return try JSONResponse.encode(Record(incident, open: true, timeline: nil), status: .created)
        }
        operators.post("/api/v1/incidents/:id/notes") { request, context in
            let body = try await request.decode(IncidentRequest.self, limit: maximumBodyBytes)
            let incident = try await service.note(id: try context.parameters.require("id"), text: body.text ?? "", by: context.actor ?? "operator")
            return try JSONResponse.encode(Record(incident, open: true, timeline: nil))
        }
        operators.post("/api/v1/incidents/:id/resolve") { request, context in
            let body = try await request.decode(IncidentRequest.self, limit: maximumBodyBytes)
            let incident = try await service.resolve(
                id: try context.parameters.require("id"), summary: body.summary ?? "", by: context.actor ?? "operator")
            return try JSONResponse.encode(Record(incident, open: true, timeline: nil))
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

    private func find(_ context: AlmanacRequestContext) async throws -> (Incident, Bool) {
        let id = try context.parameters.require("id")
        guard let found = try await service.incident(id: id) else { throw IncidentService.Problem.unknown(id) }
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

struct IncidentList: Encodable { var incidents: [IncidentRoutes.Record] }

/// What opening an incident, adding a note or resolving one sends; each route reads its field.
struct IncidentRequest: Decodable {
    var title: String?
    var service: String?
    var text: String?
    var summary: String?
}

extension IncidentService.Problem: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknown: .notFound
        case .empty: .badRequest
        }
    }

    public var fieldName: String? {
        if case .empty(let field) = self { return field }
        return nil
    }
}
