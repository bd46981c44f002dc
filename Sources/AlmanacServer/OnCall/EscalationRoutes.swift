import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import Hummingbird

/// Acknowledging an escalation: by the link every message carries (its secret is the right to
/// acknowledge that one escalation, so the link works without signing in; opening it only shows
/// a button, since mail scanners open links), or by an operator through the API.
struct EscalationRoutes: Sendable {
    let service: EscalationService
    let renderer: PageRenderer

    static let templates = ["ack": ackTemplate]

    func add(to groups: AccessGroups) {
        groups.open.get("/ack/:link") { _, context in
            let link = try context.parameters.require("link")
            let escalation = try await service.escalation(link: link)
            return renderer.page("ack", title: "Acknowledge", actor: context.actor, context: Page(escalation, link: link, done: false))
        }
        groups.open.post("/ack/:link") { _, context in
            let link = try context.parameters.require("link")
            do {
                let escalation = try await service.acknowledge(link: link, by: context.actor ?? "someone with the notification's link")
                return renderer.page("ack", title: "Acknowledged", actor: context.actor, context: Page(escalation, link: link, done: true))
            } catch let problem as EscalationService.Problem {
                return renderer.page(
                    "ack", title: "Acknowledge", actor: context.actor, context: Page(nil, link: link, done: false, problem: problem.description),
                    status: problem.status)
            }
        }
        groups.viewers.get("/api/v1/escalations") { _, _ in
            try JSONResponse.encode(EscalationList(escalations: try await service.recent().map { Record($0.escalation, active: $0.active) }))
        }
        groups.writers(.operate(team: nil)).post("/api/v1/escalations/:id/ack") { _, context in
            let escalation = try await service.acknowledge(id: try context.parameters.require("id"), by: context.actor ?? "operator")
            return try JSONResponse.encode(Record(escalation, active: true))
        }
    }

    struct Record: Encodable {
        var id, policy, alert: String
        var active: Bool
        var startedAt: Int64
        var nextStep: Int
        var acknowledgedBy: String?
        var acknowledgedUntil: Int64?
        var resolvedAt: Int64?
        var sent: [Escalation.Sent]

        init(_ escalation: Escalation, active: Bool) {
            id = escalation.id
            policy = escalation.policy
            alert = escalation.title
            self.active = active
            startedAt = escalation.start
            nextStep = escalation.next
            acknowledgedBy = escalation.acknowledgement?.by
            acknowledgedUntil = escalation.acknowledgement?.until
            resolvedAt = escalation.resolvedAt
            sent = escalation.sent
        }
    }

    struct Page {
        var alert: String?
        var link: String
        var done: Bool
        var until: String?
        var problem: String?

        init(_ escalation: Escalation?, link: String, done: Bool, problem: String? = nil) {
            alert = escalation?.title
            self.link = link
            self.done = done
            until = escalation?.acknowledgement.map { ReportFormat.moment($0.until, seconds: false) }
            self.problem = problem ?? (escalation == nil ? "No such escalation: the link may be mistyped." : nil)
        }
    }

    static let ackTemplate = """
        <h1>Acknowledge</h1>{{#problem}}<p class="errors" id="problem">{{problem}}</p>{{/problem}}
        {{#alert}}<p id="alert">{{alert}}</p>
        {{#done}}<p id="done">Acknowledged: nobody else is called about it until {{until}}, unless it resolves first.</p>{{/done}}
        {{^done}}{{#until}}<p>Acknowledged until {{until}}.</p>{{/until}}
        <form method="post" action="/ack/{{link}}"><button id="acknowledge">I am on it</button></form>{{/done}}{{/alert}}
        """
}

struct EscalationList: Encodable { var escalations: [EscalationRoutes.Record] }

/// An escalation nobody can acknowledge: no such one, or its alert resolved; both are not there to act on.
extension EscalationService.Problem: APIProblem {
    public var status: HTTPResponse.Status { .notFound }
}
