import AlmanacConfig
import AlmanacRollout
import AlmanacStorage
import Foundation
import Hummingbird

/// The pipeline through the API: what each environment would get, QA state by revision.
struct PipelineRoutes: Sendable {
    let pipeline: PipelineConfig
    let store: SQLReleaseStore
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
        let running = try await store.rollouts(environment: name).first { $0.phase == .succeeded }?.to
        let candidate = try GitRepository.resolve(pipeline.repository, pipeline.branch)
        var revisions = try GitRepository.revisions(pipeline.repository, after: running, upTo: candidate)
        let states = try await store.qaStates(revisions.map(\.hash))
        for i in revisions.indices { revisions[i].qa = states[revisions[i].hash] ?? .needsTesting }
        return Status(environment: environment, running: running, candidate: candidate, revisions: revisions, deployability: Deployability(revisions: revisions))
    }

    func register(on router: Router<BasicRequestContext>) {
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
        router.put("/api/v1/revisions/:hash/qa") { request, context in
            guard let actor = auth.admin(request) else { return JSONResponse.error(.unauthorized, "an admin token is required") }
            let hash = try context.parameters.require("hash")
            guard hash.count == 40, hash.allSatisfy(\.isHexDigit) else { return JSONResponse.error(.badRequest, "a full 40-character commit hash", field: "hash") }
            let body: [String: JSONValue]
            switch try await request.jsonObject(limit: maximumBodyBytes) {
            case .success(let object): body = object
            case .failure(let problem): return JSONResponse.error(.badRequest, problem.message)
            }
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
