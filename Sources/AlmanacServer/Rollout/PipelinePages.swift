import AlmanacConfig
import AlmanacRollout
import AlmanacRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// The pipeline's pages: an environment with its deployable revision, the revisions waiting
/// for QA, the button, the rollout in progress and the history; a rollout with its steps.
struct PipelinePages: Sendable {
    let service: PipelineService
    let maximumBodyBytes: Int
    let renderer: PageRenderer
    static let templates = ["environment": environmentTemplate, "rollout": rolloutTemplate, "pipeline": listTemplate, "drift": driftTemplate]

    func add(to groups: AccessGroups) {
        let router = groups.open
        router.get("/pipeline") { _, context in
            let environments = service.pipeline.current?.environments ?? []
            return renderer.page("pipeline", title: "Pipeline", actor: context.actor, context: [
                "environments": environments.map { ["name": $0.name, "hosts": $0.hosts.count] }, "none": environments.isEmpty,
                "error": service.pipeline.error ?? "",
            ])
        }
        router.get("/drift") { _, context in
            let report = try await service.drift()
            let rows: [[String: Any]] = report.entries.map { e in
                [
                    "environment": e.environment, "host": e.host, "revision": e.revision.map { String($0.prefix(10)) } ?? "no answer",
                    "expected": e.expected.map { String($0.prefix(10)) } ?? "", "drifting": e.drifting > 0,
                    "for": e.drifting > 0 ? DurationText.span(e.drifting) : "",
                ]
            }
            return renderer.page("drift", title: "Drift", actor: context.actor, context: [
                "hosts": rows, "count": report.drifting.count, "quiet": report.drifting.isEmpty,
            ])
        }
        router.get("/pipeline/:environment") { _, context in
            try await environmentPage(try context.parameters.require("environment"), actor: context.actor)
        }
        groups.forms.post("/pipeline/:environment/qa") { request, context in
            let name = try context.parameters.require("environment")
            return try await act(request, context, back: "/pipeline/\(name)") { form, actor in
                do {
                    _ = try await service.setQA(revision: form["revision"] ?? "", state: form["state"] ?? "", actor: actor, comment: form["comment"] ?? "")
                    return nil
                } catch let problem as PipelineService.Problem {
                    return problem.description
                }
            }
        }
        groups.forms.post("/pipeline/:environment/rollout") { request, context in
            let name = try context.parameters.require("environment")
            var started: String?
            let response = try await act(request, context, back: "/pipeline/\(name)") { form, actor in
                do {
                    started = try await service.rollouts.start(environment: name, revision: form["revision"] ?? "", actor: actor).id
                    return nil
                } catch let error as RolloutError {
                    return error.description
                }
            }
            return started.map { PageRenderer.redirect("/rollouts/\($0)") } ?? response
        }
        router.get("/rollouts/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let rollout = try await service.store.rollout(id: id) else { return Response(status: .notFound) }
            return renderer.page("rollout", title: "Rollout \(id)", actor: context.actor, context: Self.describe(rollout, actor: context.actor))
        }
        groups.forms.post("/rollouts/:id/:action") { request, context in
            let id = try context.parameters.require("id"), action = try context.parameters.require("action")
            guard let control = RolloutControl(rawValue: action) else { return Response(status: .notFound) }
            return try await act(request, context, back: "/rollouts/\(id)") { _, _ in
                do {
                    _ = try await service.rollouts.control(id, control)
                    return nil
                } catch let error as RolloutError {
                    return error.description
                }
            }
        }
    }

    /// A form post from these pages (the forms group checked the admin and the site); `body`
    /// returns a problem to show, or nil to go back.
    private func act(
        _ request: Request, _ context: AlmanacRequestContext, back: String, _ body: ([String: String], String) async throws -> String?
    ) async throws -> Response {
        let actor = context.actor ?? ""
        if let problem = try await body(try await request.formFields(limit: maximumBodyBytes), actor) {
            return renderer.page("pipeline", title: "Not done", actor: actor, context: ["error": problem, "back": back], status: .conflict)
        }
        return PageRenderer.redirect(back)
    }

    private func environmentPage(_ name: String, actor: String?) async throws -> Response {
        let status: PipelineService.Status
        do { status = try await service.status(name) } catch RolloutError.notFound { return Response(status: .notFound) }
        let history = try await service.store.rollouts(environment: name, limit: 20)
        let d = status.deployability
        let revisions: [[String: Any]] = status.revisions.reversed().map { r in
            [
                "hash": r.hash, "short": String(r.hash.prefix(10)), "author": r.author, "subject": r.subject, "issues": r.issues.joined(separator: ", "),
                "qa": r.qa.rawValue, "deployable": r.hash == d.deployable, "blocking": r.hash == d.blockedBy,
                "states": QAState.allCases.map { ["state": $0.rawValue, "selected": $0 == r.qa] },
            ]
        }
        var context: [String: Any] = [
            "name": name, "hosts": status.environment.hosts.joined(separator: ", "), "running": status.running.map { String($0.prefix(10)) } ?? "unknown",
            "candidate": String(status.candidate.prefix(10)), "revisions": revisions, "count": revisions.count,
            "history": history.map { ["id": $0.id, "to": String($0.to.prefix(10)), "phase": $0.phase.rawValue, "by": $0.startedBy, "failure": $0.failure ?? ""] },
        ]
        if let deployable = d.deployable { context["deployable"] = ["hash": deployable, "short": String(deployable.prefix(10)), "count": d.count] }
        if let reason = d.reason { context["reason"] = reason }
        if let current = history.first(where: { !$0.phase.isFinished }) { context["current"] = ["id": current.id, "phase": current.phase.rawValue] }
        if let actor { context["actor"] = actor }
        return renderer.page("environment", title: "Pipeline: \(name)", actor: actor, context: context)
    }

    static func describe(_ rollout: Rollout, actor: String?) -> [String: Any] {
        var context: [String: Any] = [
            "id": rollout.id, "environment": rollout.environment, "from": String(rollout.from.prefix(10)), "to": String(rollout.to.prefix(10)),
            "phase": rollout.phase.rawValue, "by": rollout.startedBy, "failure": rollout.failure ?? "", "held": rollout.held ?? "", "moving": rollout.phase == .running || rollout.phase == .rollingBack,
            "waves": rollout.waves.enumerated().map { index, hosts in
                [
                    "number": index + 1, "current": index == rollout.wave,
                    "hosts": hosts.compactMap { rollout.hosts[$0] }.map { h in
                        ["name": h.name, "revision": h.revision.map { String($0.prefix(10)) } ?? "unknown", "done": h.done?.rawValue ?? "", "error": h.error ?? ""]
                    },
                ]
            },
            "log": rollout.log.reversed().map { e in
                [
                    "host": e.host, "step": e.step.rawValue, "revision": String(e.revision.prefix(10)), "ok": e.ok ? "ok" : "failed",
                    // Step output can name hosts, paths and whatever a deploy prints: signed-in admins only.
                    "seconds": String(format: "%.1f", Double(e.milliseconds) / 1000), "output": actor == nil ? "(sign in to see the output)" : e.output,
                ]
            },
            "canPause": rollout.phase == .running, "canResume": rollout.phase == .paused || rollout.phase == .interrupted,
            "canAbort": !rollout.phase.isFinished, "canRollBack": rollout.phase == .paused || rollout.phase == .interrupted,
        ]
        if let actor { context["actor"] = actor }
        return context
    }

    static let driftTemplate = """
        <h1>One revision everywhere</h1>
        {{#quiet}}<p id="quiet">Every host runs its environment's revision.</p>{{/quiet}}{{^quiet}}<p id="summary">{{count}} hosts differ.</p>{{/quiet}}
        <table id="drift"><tr><th>Environment</th><th>Host</th><th>Runs</th><th>Should run</th><th>Differs for</th></tr>
        {{#hosts}}<tr{{#drifting}} class="drifting"{{/drifting}}><td>{{environment}}</td><td>{{host}}</td><td><code>{{revision}}</code></td><td><code>{{expected}}</code></td><td>{{for}}</td></tr>{{/hosts}}</table>
        <p>Alert on it with a rule on <code>almanac_revision_drift_seconds</code>, for example <code>above: {warning: 3600}</code>.</p>
        """

    static let listTemplate = """
        <h1>Pipeline</h1>
        {{#error}}<p class="error" id="error">{{error}}</p>{{#back}}<p><a href="{{back}}">Back</a></p>{{/back}}{{/error}}
        {{#none}}<p>No <code>pipeline/pipeline.yaml</code> in the config repository.</p>{{/none}}
        <ul id="environments">{{#environments}}<li><a href="/pipeline/{{name}}">{{name}}</a> ({{hosts}} hosts)</li>{{/environments}}</ul>
        <p><a href="/drift">Which revision each host runs</a></p>
        """

    static let environmentTemplate = """
        <h1>Pipeline: {{name}}</h1>
        <p>Hosts: {{hosts}} · runs <code id="running">{{running}}</code> · branch head <code>{{candidate}}</code></p>
        {{#current}}<p id="current">Rollout <a href="/rollouts/{{id}}">{{id}}</a> is {{phase}}.</p>{{/current}}
        {{#deployable}}<p id="deployable">Deployable: <code>{{short}}</code> ({{count}} revisions)</p>
        {{#actor}}<form id="roll-out" method="post" action="/pipeline/{{name}}/rollout"><input type="hidden" name="revision" value="{{hash}}"><button>Roll out {{short}} to {{name}}</button></form>{{/actor}}{{/deployable}}
        {{^deployable}}<p id="deployable">Nothing new is deployable.</p>{{/deployable}}
        {{#reason}}<p id="blocked">Held back: {{reason}}</p>{{/reason}}
        <h2>Revisions <small>({{count}}, newest first)</small></h2>
        <table id="revisions"><tr><th>Revision</th><th>Author</th><th>Change</th><th>Issues</th><th>QA</th></tr>
        {{#revisions}}<tr class="{{qa}}{{#deployable}} deployable{{/deployable}}{{#blocking}} blocking{{/blocking}}"><td><code>{{short}}</code></td><td>{{author}}</td><td>{{subject}}</td><td>{{issues}}</td>
        <td>{{#actor}}<form class="inline qa" method="post" action="/pipeline/{{name}}/qa"><input type="hidden" name="revision" value="{{hash}}"><select name="state">{{#states}}<option{{#selected}} selected{{/selected}}>{{state}}</option>{{/states}}</select> <button>Set</button></form>{{/actor}}{{^actor}}{{qa}}{{/actor}}</td></tr>{{/revisions}}
        </table>
        <h2>History</h2><table id="history"><tr><th>Rollout</th><th>To</th><th>Outcome</th><th>By</th><th>Why it stopped</th></tr>
        {{#history}}<tr><td><a href="/rollouts/{{id}}">{{id}}</a></td><td><code>{{to}}</code></td><td>{{phase}}</td><td>{{by}}</td><td>{{failure}}</td></tr>{{/history}}</table>
        """

    static let rolloutTemplate = """
        {{#moving}}<meta http-equiv="refresh" content="2">{{/moving}}
        <h1>Rollout {{id}} <small id="phase">{{phase}}</small></h1>
        <p><a href="/pipeline/{{environment}}">{{environment}}</a>: <code>{{from}}</code> → <code>{{to}}</code>, started by {{by}}</p>
        {{#failure}}<p class="error" id="failure">{{failure}}</p>{{/failure}}
        {{#held}}<p class="error" id="held">Held: {{held}}</p>{{/held}}
        {{#actor}}<p>{{#canPause}}<form class="inline" method="post" action="/rollouts/{{id}}/pause"><button>Pause</button></form>{{/canPause}}
        {{#canResume}}<form class="inline" method="post" action="/rollouts/{{id}}/resume"><button>Resume</button></form>{{/canResume}}
        {{#canRollBack}}<form class="inline" method="post" action="/rollouts/{{id}}/rollback"><button>Roll back</button></form>{{/canRollBack}}
        {{#canAbort}}<form class="inline" method="post" action="/rollouts/{{id}}/abort"><button>Abort</button></form>{{/canAbort}}</p>{{/actor}}
        <table id="waves"><tr><th>Wave</th><th>Host</th><th>Revision</th><th>Last step</th><th>Error</th></tr>
        {{#waves}}{{#hosts}}<tr><td>{{number}}</td><td>{{name}}</td><td><code>{{revision}}</code></td><td>{{done}}</td><td>{{error}}</td></tr>{{/hosts}}{{/waves}}</table>
        <h2>Steps</h2><table id="steps"><tr><th>Host</th><th>Step</th><th>Revision</th><th>Result</th><th>Seconds</th><th>Output</th></tr>
        {{#log}}<tr><td>{{host}}</td><td>{{step}}</td><td><code>{{revision}}</code></td><td>{{ok}}</td><td>{{seconds}}</td><td><pre>{{output}}</pre></td></tr>{{/log}}</table>
        """
}
