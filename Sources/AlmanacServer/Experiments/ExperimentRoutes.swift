import AlmanacExperiments
import AlmanacFlags
import AlmanacRuntime
import Foundation
import Hummingbird

/// The events clients post, and the results as JSON and pages. Events come with a client key
/// (as OFREP's evaluations do); a decision needs an operator of the flag's team.
struct ExperimentRoutes: Sendable {
    let service: ExperimentService
    let renderer: PageRenderer
    /// A full batch of 10,000 events is about 2 MB.
    static let eventBytes = 4 << 20

    struct EventBatch: Decodable {
        var events: [Event]
    }

    struct Event: Decodable {
        var id: String
        var type: String
        var flag: String
        var variant: String?
        var targetingKey: String
        var event: String?
        var value: Double?
        var timestamp: Int64?

        enum CodingKeys: String, CodingKey {
            case id, type, flag, variant, event, value, timestamp
            case targetingKey = "targeting_key"
        }
    }

    struct Decision: Decodable {
        var decision: String
        var comment: String
    }

    func add(to groups: AccessGroups) {
        groups.apiClients.post("/api/v1/events") { request, _ in
            let batch = try await request.decode(EventBatch.self, limit: Self.eventBytes)
            var inputs: [ExperimentService.EventInput] = []
            for (i, e) in batch.events.enumerated() {
                guard let kind = ExperimentService.EventInput.Kind(rawValue: e.type) else {
                    throw RequestProblem("events[\(i)].type", "conversion or exposure")
                }
                inputs.append(
                    .init(
                        id: e.id, kind: kind, flag: e.flag, variant: e.variant, targetingKey: e.targetingKey, event: e.event, value: e.value ?? 1,
                        at: e.timestamp))
            }
            let (conversions, exposures) = try await service.ingest(inputs)
            return try JSONResponse.encode(["accepted": inputs.count, "new_conversions": conversions, "exposures": exposures])
        }
        groups.viewers.get("/api/v1/experiments") { _, _ in
            try JSONResponse.encode(["experiments": try await service.summaries().map(ExperimentSummary.init)])
        }
        groups.viewers.get("/api/v1/experiments/:key") { _, context in
            try JSONResponse.encode(try await results(context))
        }
        groups.writers(FlagService.teamResolver(service.flags)).post("/api/v1/experiments/:key/decision") { request, context in
            let body = try await request.decode(Decision.self, limit: 64 << 10)
            let flag = try context.parameters.decoded("key")
            guard let actor = context.identity?.person?.auditName ?? context.identity?.client.map({ "client:\($0)" }) else {
                throw EdgeProblem.notSignedIn("sign in, or send a token")
            }
            try await service.decide(flag, decision: body.decision, actor: actor, comment: body.comment)
            return try JSONResponse.encode(["flag": flag, "decision": body.decision])
        }
        ExperimentPages(service: service, renderer: renderer).add(to: groups)
    }

    func results(_ context: AlmanacRequestContext) async throws -> ExperimentResults {
        let flag = try context.parameters.decoded("key")
        guard let results = try await service.results(flag) else { throw EdgeProblem.notFound("no experiment on flag '\(flag)'") }
        return results
    }
}

/// An experiment in the list: who is in, and whether its split holds.
struct ExperimentSummary: Encodable {
    var flag: String
    var control: String
    var variants: [String]
    var users: Int
    var excluded: Int
    var srmPValue: Double
    var srmFailed: Bool
    var startedAt: Int64?

    init(_ flag: Flag, _ spec: ExperimentSpec, _ split: ExperimentResults.Split) {
        self.flag = flag.key
        control = spec.control
        variants = spec.variants
        users = split.usersInAnalysis
        excluded = split.usersLeftOut
        srmPValue = split.srmPValue
        srmFailed = split.srmFailed
        startedAt = split.startedAt
    }
}
