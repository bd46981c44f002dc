import AlmanacConfig
import AlmanacRollout
import AlmanacStorage
import Foundation
import Hummingbird

/// The pipeline through the API: what each environment would get, QA state by revision.
struct PipelineRoutes: Sendable {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
    let manager: RolloutManager
    let auth: Authenticator
    let maximumBodyBytes: Int

    /// What an environment runs, what it could get, and what is deployable and why not further.
    struct Status {
        var environment: Pipeline.Environment
        var running: String?
        var candidate: String
        var revisions: [Revision]
        var deployability: Deployability
    }

    func status(_ name: String) async throws -> Status? {
        guard let pipeline = pipeline.current, let environment = pipeline.environment(name) else { return nil }
        let running = try await store.running(environment: name)
        let candidate = try GitRepository.resolve(pipeline.repository, pipeline.branch)
        var revisions = try GitRepository.revisions(pipeline.repository, after: running, upTo: candidate)
        let states = try await store.qaStates(revisions.map(\.hash))
        for i in revisions.indices { revisions[i].qa = states[revisions[i].hash] ?? .needsTesting }
        return Status(environment: environment, running: running, candidate: candidate, revisions: revisions, deployability: Deployability(revisions: revisions))
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/drift") { _, _ in
            let report = try await DriftWatcher.report(store: store, now: RolloutManager.now())
            return JSONResponse.make(.ok, ["hosts": .array(report.entries.map { e in
                [
                    "environment": .string(e.environment), "host": .string(e.host), "revision": e.revision.map(JSONValue.string) ?? .null,
                    "expected": e.expected.map(JSONValue.string) ?? .null, "driftingSeconds": .double(Double(e.drifting) / 1000),
                ]
            })])
        }
        router.get("/api/v1/pipeline/:environment") { _, context in
            guard let status = try await status(try context.parameters.require("environment")) else {
                return JSONResponse.error(.notFound, "no such environment in pipeline/pipeline.yaml")
            }
            let d = status.deployability
            return JSONResponse.make(.ok, [
                "environment": .string(status.environment.name), "hosts": .array(status.environment.hosts.map(JSONValue.string)),
                "running": status.running.map(JSONValue.string) ?? .null, "candidate": .string(status.candidate),
                "deployable": d.deployable.map(JSONValue.string) ?? .null, "blockedBy": d.blockedBy.map(JSONValue.string) ?? .null,
                "reason": d.reason.map(JSONValue.string) ?? .null,
                "revisions": .array(status.revisions.map { r in
                    [
                        "hash": .string(r.hash), "author": .string(r.author), "subject": .string(r.subject),
                        "issues": .array(r.issues.map(JSONValue.string)), "qa": .string(r.qa.rawValue),
                    ]
                }),
            ])
        }
        router.post("/api/v1/pipeline/:environment/rollouts") { request, context in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            guard let revision = body["revision"]?.stringValue, !revision.isEmpty, revision.count <= 200 else {
                return JSONResponse.error(.badRequest, "required: the revision to roll out (a hash or a branch)", field: "revision")
            }
            do {
                let rollout = try await manager.start(environment: try context.parameters.require("environment"), revision: revision, actor: actor)
                return try JSONResponse.encode(RolloutRecord(rollout), status: .accepted)
            } catch let refusal as RolloutManager.Refusal {
                return JSONResponse.error(.conflict, refusal.description)
            } catch let failure as GitRepository.Failure {
                return JSONResponse.error(.badRequest, failure.description, field: "revision")
            }
        }
        router.post("/api/v1/pipeline/:environment/follow") { request, context in
            guard auth.admin(request) != nil else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            do {
                let (rollout, reason) = try await manager.follow(environment: try context.parameters.require("environment"))
                return JSONResponse.make(rollout == nil ? .ok : .accepted, [
                    "started": .bool(rollout != nil), "id": rollout.map { .string($0.id) } ?? .null, "reason": .string(reason),
                ])
            } catch let refusal as RolloutManager.Refusal {
                return JSONResponse.error(.conflict, refusal.description)
            }
        }
        router.get("/api/v1/pipeline/:environment/rollouts") { _, context in
            try JSONResponse.encode(["rollouts": try await store.rollouts(environment: try context.parameters.require("environment")).map(RolloutRecord.init)])
        }
        router.get("/api/v1/rollouts/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let rollout = try await store.rollout(id: id) else { return JSONResponse.error(.notFound, "no rollout \(id)") }
            return try JSONResponse.encode(RolloutRecord(rollout))
        }
        router.post("/api/v1/rollouts/:id/:action") { request, context in
            guard auth.admin(request) != nil else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let action = try context.parameters.require("action")
            guard ["pause", "resume", "abort", "rollback"].contains(action) else { return JSONResponse.error(.notFound, "actions: pause, resume, abort, rollback") }
            do {
                return try JSONResponse.encode(RolloutRecord(try await manager.control(try context.parameters.require("id"), action)))
            } catch let refusal as RolloutManager.Refusal {
                return JSONResponse.error(.conflict, refusal.description)
            }
        }
        router.put("/api/v1/revisions/:hash/qa") { request, context in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let hash = try context.parameters.require("hash")
            guard hash.count == 40, hash.allSatisfy(\.isHexDigit) else { return JSONResponse.error(.badRequest, "a full 40-character commit hash", field: "hash") }
            let body = try await request.jsonObject(limit: maximumBodyBytes)
            guard let text = body["state"]?.stringValue, let state = QAState(rawValue: text) else {
                return JSONResponse.error(.badRequest, "required: \(QAState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            let comment = body["comment"]?.stringValue ?? ""
            guard comment.count <= 2000 else { return JSONResponse.error(.badRequest, "at most 2000 characters", field: "comment") }
            try await store.setQA(state, revision: hash.lowercased(), actor: actor, comment: comment, at: Int64(Date().timeIntervalSince1970 * 1000))
            return JSONResponse.make(.ok, ["revision": .string(hash.lowercased()), "state": .string(state.rawValue), "by": .string(actor)])
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
    var log: [Rollout.Entry]

    init(_ rollout: Rollout) {
        id = rollout.id
        environment = rollout.environment
        from = rollout.from
        to = rollout.to
        startedBy = rollout.startedBy
        phase = rollout.phase.rawValue
        wave = rollout.wave
        waves = rollout.waves
        hosts = rollout.waves.joined().compactMap { rollout.hosts[$0] }.map { Host(name: $0.name, revision: $0.revision, done: $0.done?.rawValue, error: $0.error) }
        failure = rollout.failure
        log = rollout.log
    }
}
