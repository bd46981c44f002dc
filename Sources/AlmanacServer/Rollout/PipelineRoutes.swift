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
        router.get("/api/v1/drift") { _, _ in
            let report = try await service.drift()
            return JSONResponse.make(
                .ok,
                [
                    "hosts": .array(
                        report.entries.map { e in
                            [
                                "environment": .string(e.environment), "host": .string(e.host), "revision": e.revision.map(JSONValue.string) ?? .null,
                                "expected": e.expected.map(JSONValue.string) ?? .null, "drifting_seconds": .double(Double(e.drifting) / 1000),
                            ]
                        })
                ])
        }
        router.get("/api/v1/pipeline/:environment") { _, context in
            try await answer {
                let status = try await service.status(try context.parameters.require("environment"))
                let d = status.deployability
                return JSONResponse.make(
                    .ok,
                    [
                        "environment": .string(status.environment.name), "hosts": .array(status.environment.hosts.map(JSONValue.string)),
                        "running": status.running.map(JSONValue.string) ?? .null, "candidate": .string(status.candidate),
                        "deployable": d.deployable.map(JSONValue.string) ?? .null, "blocked_by": d.blockedBy.map(JSONValue.string) ?? .null,
                        "reason": d.reason.map(JSONValue.string) ?? .null,
                        "revisions": .array(
                            status.revisions.map { r in
                                [
                                    "hash": .string(r.hash), "author": .string(r.author), "subject": .string(r.subject),
                                    "issues": .array(r.issues.map(JSONValue.string)), "qa": .string(r.qa.rawValue),
                                ]
                            }),
                    ])
            }
        }
        releasers.post("/api/v1/pipeline/:environment/rollouts") { request, context in
            let actor = context.actor ?? ""
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            guard let revision = body["revision"]?.stringValue, !revision.isEmpty, revision.count <= 200 else {
                return JSONResponse.error(.badRequest, "required: the revision to roll out (a hash or a branch)", field: "revision")
            }
            return try await answer {
                let rollout = try await service.rollouts.start(
                    environment: try context.parameters.require("environment"), revision: revision, actor: actor,
                    overridingBudget: body["override_budget"]?.stringValue)
                return try JSONResponse.encode(RolloutRecord(rollout), status: .accepted)
            }
        }
        releasers.post("/api/v1/pipeline/:environment/follow") { _, context in
            try await answer {
                let (rollout, reason) = try await service.rollouts.follow(environment: try context.parameters.require("environment"))
                return JSONResponse.make(
                    rollout == nil ? .ok : .accepted,
                    [
                        "started": .bool(rollout != nil), "id": rollout.map { .string($0.id) } ?? .null, "reason": .string(reason),
                    ])
            }
        }
        router.get("/api/v1/pipeline/:environment/rollouts") { _, context in
            try JSONResponse.encode([
                "rollouts": try await service.store.rollouts(environment: try context.parameters.require("environment")).map(RolloutRecord.init)
            ])
        }
        router.get("/api/v1/rollouts/:id") { _, context in
            try await answer { try JSONResponse.encode(RolloutRecord(try await service.rollout(id: try context.parameters.require("id")))) }
        }
        controllers.post("/api/v1/rollouts/:id/:action") { _, context in
            guard let action = RolloutControl(rawValue: try context.parameters.require("action")) else {
                return JSONResponse.error(.notFound, "actions: " + RolloutControl.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return try await answer {
                try JSONResponse.encode(
                    RolloutRecord(try await service.rollouts.control(try context.parameters.require("id"), action, actor: context.actor ?? "")))
            }
        }
        groups.writers(.operate(team: nil)).put("/api/v1/revisions/:hash/qa") { request, context in
            let actor = context.actor ?? ""
            let hash = try context.parameters.require("hash")
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            return try await answer {
                let state = try await service.setQA(
                    revision: hash, state: body["state"]?.stringValue ?? "", actor: actor, comment: body["comment"]?.stringValue ?? "")
                return JSONResponse.make(.ok, ["revision": .string(hash.lowercased()), "state": .string(state.rawValue), "by": .string(actor)])
            }
        }
    }

    /// The service's refusals as status codes: unknown (404), busy or in the wrong phase (409),
    /// a revision or field that is wrong (400).
    private func answer(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as RolloutError {
            switch error {
            case .notFound(let message): return JSONResponse.error(.notFound, message)
            case .conflict(let message): return JSONResponse.error(.conflict, message)
            case .badRevision(let message): return JSONResponse.error(.badRequest, message, field: "revision")
            case .budget(let message): return JSONResponse.error(.conflict, message, field: "override_budget")
            }
        } catch let problem as PipelineService.Problem {
            return JSONResponse.error(.badRequest, problem.message, field: problem.field)
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
            Host(name: $0.name, revision: $0.revision, done: $0.done?.rawValue, error: $0.error)
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
