import AlmanacConfig
import AlmanacRollout
import AlmanacRuntime
import Foundation
import Hummingbird

/// The pipeline through the API: what each environment would get, QA state by revision,
/// rollouts and their controls. Translates requests to the pipeline service and its errors to
/// status codes.
struct PipelineRoutes: Sendable {
    let service: PipelineService
    let maximumBodyBytes: Int

    func add(to groups: AccessGroups) {
        let router = groups.viewers
        let releasers = groups.writers(Self.environmentResolver)
        let controllers = groups.writers(Self.rolloutResolver(service))
        router.get("/api/v1/drift") { _, _ in try JSONResponse.encode(DriftList(hosts: try await service.drift().entries.map(DriftRecord.init))) }
        router.get("/api/v1/pipeline/:environment") { _, context in
            try JSONResponse.encode(PipelineRecord(try await service.status(try context.parameters.require("environment"))))
        }
        releasers.post("/api/v1/pipeline/:environment/rollouts") { request, context in
            let body = try await request.decode(RolloutRequest.self, limit: maximumBodyBytes)
            let rollout = try await service.rollouts.start(
                environment: try context.parameters.require("environment"), revision: body.revision, actor: context.actor ?? "",
                overridingBudget: body.overrideBudget)
            return try JSONResponse.encode(RolloutRecord(rollout), status: .accepted)
        }
        releasers.post("/api/v1/pipeline/:environment/follow") { _, context in
            let (rollout, reason) = try await service.rollouts.follow(environment: try context.parameters.require("environment"))
            return try JSONResponse.encode(
                FollowRecord(started: rollout != nil, id: rollout?.id, reason: reason), status: rollout == nil ? .ok : .accepted)
        }
        router.get("/api/v1/pipeline/:environment/rollouts") { _, context in
            try JSONResponse.encode(
                RolloutList(rollouts: try await service.rollouts(environment: try context.parameters.require("environment")).map(RolloutRecord.init)))
        }
        router.get("/api/v1/rollouts/:id") { _, context in
            try JSONResponse.encode(RolloutRecord(try await service.rollout(id: try context.parameters.require("id"))))
        }
        controllers.post("/api/v1/rollouts/:id/:action") { _, context in
            guard let action = RolloutControl(rawValue: try context.parameters.require("action")) else {
                throw EdgeProblem.notFound("actions: " + RolloutControl.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return try JSONResponse.encode(
                RolloutRecord(try await service.rollouts.control(try context.parameters.require("id"), action, actor: context.actor ?? "")))
        }
        groups.writers(.operate(team: nil)).put("/api/v1/revisions/:hash/qa") { request, context in
            let actor = context.actor ?? ""
            let hash = try context.parameters.require("hash")
            let body = try await request.decode(QARequest.self, limit: maximumBodyBytes)
            let state = try await service.setQA(revision: hash, state: body.state ?? "", actor: actor, comment: body.comment ?? "")
            return try JSONResponse.encode(QARecord(revision: hash.lowercased(), state: state.rawValue, by: actor))
        }
    }
}

/// A rollout as the API shows it.
struct RolloutRecord: Codable {
    struct Host: Codable {
        var name: String
        var revision: String?
        var done: String?
        var error: String?
        var role: String?
    }

    var id: String
    var environment: String
    var from: String
    var to: String
    var startedBy: String
    var phase: String
    var wave: Int
    var waves: [[String]]
    var hosts: [Host]
    var failure: String?
    /// Why the rollout stands still, when a gate or the server stopped it rather than a person.
    var held: String?
    var log: [Rollout.Entry]
    /// Who paused, resumed, aborted or rolled back, and when.
    var controls: [Rollout.Control]

    init(_ rollout: Rollout) {
        id = rollout.id
        environment = rollout.environment
        from = rollout.from
        to = rollout.to
        startedBy = rollout.startedBy
        phase = rollout.phase.rawValue
        wave = rollout.wave
        waves = rollout.waves
        hosts = rollout.waves.joined().compactMap { rollout.hosts[$0] }.map {
            Host(name: $0.name, revision: $0.revision, done: $0.done?.rawValue, error: $0.error, role: rollout.roles?[$0.name])
        }
        failure = rollout.failure
        held = rollout.held
        controls = rollout.controls ?? []
        log = rollout.log
    }
}

extension PipelineRoutes {
    /// A rollout is its environment's: an operator of staging may roll out staging only.
    static let environmentResolver: ActionResolver = { _, context in .rollout(environment: context.parameters.get("environment") ?? "") }

    /// Pausing, resuming or rolling back a rollout is its environment's too; an unknown rollout
    /// needs an operator of every environment (the handler then says it is not there).
    static func rolloutResolver(_ service: PipelineService) -> ActionResolver {
        { _, context in
            let id = context.parameters.get("id") ?? ""
            do {
                return .rollout(environment: try await service.rollout(id: id).environment)
            } catch RolloutError.notFound(_) {
                return .rollout(environment: "")
            }
        }
    }

}
