import AlmanacFlags
import AlmanacRuntime
import Foundation
import Hummingbird

/// Where every ramp stands, and a person's hold, resume, revert or restart (an operator of the
/// flag's team, as for the flag's other run-time changes).
struct RampRoutes: Sendable {
    let service: RampService
    let renderer: PageRenderer
    let maximumBodyBytes: Int

    struct Control: Decodable {
        var action: RampService.Action
        var comment: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            action = try container.decode(RampService.Action.self, forKey: .action)
            comment = try container.decodeIfPresent(String.self, forKey: .comment) ?? ""
            guard comment.count <= 2000 else {
                throw DecodingError.dataCorruptedError(forKey: .comment, in: container, debugDescription: "at most 2000 characters")
            }
        }

        enum CodingKeys: String, CodingKey { case action, comment }
    }

    func add(to groups: AccessGroups) {
        let changers = groups.writers(FlagService.teamResolver(service.flags))
        groups.viewers.get("/api/v1/ramps") { _, _ in
            try JSONResponse.encode(RampList(ramps: service.ramps().map(RampRecord.init)))
        }
        groups.viewers.get("/api/v1/flags/:key/ramp") { _, context in
            try JSONResponse.encode(RampRecord(try service.ramp(try context.parameters.require("key"))))
        }
        changers.post("/api/v1/flags/:key/ramp") { request, context in
            let body = try await request.decode(Control.self, limit: maximumBodyBytes)
            guard let caller = context.identity, let actor = caller.person?.auditName else {
                throw EdgeProblem.notSignedIn("sign in, or send a token")
            }
            let entry = try await service.control(try context.parameters.require("key"), body.action, actor: actor, comment: body.comment)
            return try JSONResponse.encode(AuditRecord(entry))
        }
        // The flag page's form; a state the action does not fit shows why.
        changers.post("/flags/:key/ramp") { request, context in
            let key = try context.parameters.require("key")
            let form = try await request.formFields(limit: maximumBodyBytes)
            guard let action = form["action"].flatMap(RampService.Action.init(rawValue:)) else { return Response(status: .badRequest) }
            do {
                _ = try await service.control(key, action, actor: context.actor ?? "", comment: String((form["comment"] ?? "").prefix(2000)))
            } catch let problem as RampService.Problem {
                return renderer.message("Not changed", problem.description, actor: context.actor, status: problem.status)
            }
            return PageRenderer.redirect("/flags/\(key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key)")
        }
    }
}

struct RampList: Encodable {
    var ramps: [RampRecord]
}

/// One ramp as JSON: its plan and where it stands (`status` is `not_started` before the job's first look).
struct RampRecord: Encodable {
    var flag: String
    var variant: String
    var control: String?
    var steps: [Double]
    var everySeconds: Int64
    var onFailure: String
    var status: String
    var percent: Double
    var step: Int?
    var since: Int64?
    var reason: String?

    init(_ entry: RampService.Entry) {
        flag = entry.key
        variant = entry.spec.variant
        control = entry.control
        steps = entry.spec.steps
        everySeconds = entry.spec.every / 1000
        onFailure = entry.spec.onFailure.rawValue
        status = entry.position?.status.rawValue ?? "not_started"
        percent = entry.position?.percent ?? 0
        step = entry.position?.step
        since = entry.position?.since
        reason = entry.position?.reason
    }
}
