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
        let router = groups.viewers
        router.get("/pipeline") { _, context in
            let environments = service.pipeline.current?.environments ?? []
            let page = PipelineListPage(
                environments: environments.map { .init(name: $0.name, hosts: $0.hosts.count) }, none: environments.isEmpty,
                error: service.pipeline.error ?? "")
            return renderer.page("pipeline", title: "Pipeline", actor: context.actor, context: page)
        }
        router.get("/drift") { _, context in
            renderer.page("drift", title: "Drift", actor: context.actor, context: DriftPage(try await service.drift()))
        }
        router.get("/pipeline/:environment") { _, context in
            try await environmentPage(try context.parameters.require("environment"), actor: context.actor)
        }
        groups.writers(.operate(team: nil)).post("/pipeline/:environment/qa") { request, context in
            let name = try context.parameters.require("environment")
            return try await act(request, context, back: "/pipeline/\(name)") { form, actor in
                do {
                    _ = try await service.setQA(
                        revision: form["revision"] ?? "", state: form["state"] ?? "", actor: actor, comment: form["comment"] ?? "")
                    return nil
                } catch let problem as PipelineService.Problem {
                    return problem.description
                }
            }
        }
        groups.writers(PipelineRoutes.environmentResolver).post("/pipeline/:environment/rollout") { request, context in
            let name = try context.parameters.require("environment")
            var started: String?
            let response = try await act(request, context, back: "/pipeline/\(name)") { form, actor in
                do {
                    started = try await service.rollouts.start(
                        environment: name, revision: form["revision"] ?? "", actor: actor, overridingBudget: form["override_budget"]
                    ).id
                    return nil
                } catch let error as RolloutError {
                    return error.description
                }
            }
            return started.map { PageRenderer.redirect("/rollouts/\($0)") } ?? response
        }
        router.get("/rollouts/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let rollout = try await service.findRollout(id: id) else { return Response(status: .notFound) }
            return renderer.page("rollout", title: "Rollout \(id)", actor: context.actor, context: RolloutPage(rollout, actor: context.actor))
        }
        groups.writers(PipelineRoutes.rolloutResolver(service)).post("/rollouts/:id/:action") { request, context in
            let id = try context.parameters.require("id")
            let action = try context.parameters.require("action")
            guard let control = RolloutControl(rawValue: action) else { return Response(status: .notFound) }
            return try await act(request, context, back: "/rollouts/\(id)") { _, actor in
                do {
                    _ = try await service.rollouts.control(id, control, actor: actor)
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
            let page = PipelineListPage(environments: [], none: false, error: problem, back: back)
            return renderer.page("pipeline", title: "Not done", actor: actor, context: page, status: .conflict)
        }
        return PageRenderer.redirect(back)
    }

    private func environmentPage(_ name: String, actor: String?) async throws -> Response {
        let status: PipelineService.Status
        do { status = try await service.status(name) } catch RolloutError.notFound { return Response(status: .notFound) }
        let history = try await service.rollouts(environment: name, limit: 20)
        let drift = try await service.drift().entries.filter { $0.environment == name }
        let patches = await service.patches(environment: name)
        let schema = patches == nil ? nil : await service.schemaDrift(environment: name)
        return renderer.page(
            "environment", title: "Pipeline: \(name)", actor: actor,
            context: EnvironmentPage(status, history: history, drift: drift, patches: patches, schema: schema, actor: actor))
    }

    static let driftTemplate = """
        <h1>One revision everywhere</h1>
        {{#quiet}}<p id="quiet">Every host runs its environment's revision.</p>{{/quiet}}{{^quiet}}<p id="summary">{{count}} hosts differ.</p>{{/quiet}}
        <table id="drift"><tr><th>Environment</th><th>Host</th><th>Runs</th><th>Should run</th><th>Differs for</th></tr>
        {{#hosts}}<tr{{#drifting}} class="drifting"{{/drifting}}><td>{{environment}}</td><td>{{host}}</td><td><code>{{revision}}</code></td><td><code>{{expected}}</code></td><td>{{span}}</td></tr>{{/hosts}}</table>
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
        {{#actor}}<form id="roll-out" method="post" action="/pipeline/{{name}}/rollout"><input type="hidden" name="revision" value="{{hash}}"><button>Roll out {{short}} to {{name}}</button>
        <input name="override_budget" placeholder="override a spent error budget: why" size="34"></form>{{/actor}}{{/deployable}}
        {{^deployable}}<p id="deployable">Nothing new is deployable.</p>{{/deployable}}
        {{#reason}}<p id="blocked">Held back: {{reason}}</p>{{/reason}}
        <h2>Hosts</h2>{{#singlePoints}}<p class="stale single-point">Single point of failure: {{role}} has one host ({{host}}); \
        a rollout takes it down for {{outage}}.</p>{{/singlePoints}}
        <div class="wide"><table id="hosts"><tr><th>Host</th>{{#hasRoles}}<th>Role</th>{{/hasRoles}}<th>Runs</th><th>Should run</th>\
        <th>Differs for</th></tr>
        {{#hostRows}}<tr{{#drifting}} class="drifting"{{/drifting}}><td>{{host}}</td>{{#hasRoles}}<td>{{role}}</td>{{/hasRoles}}\
        <td><code>{{revision}}</code></td>\
        <td><code>{{expected}}</code></td><td>{{differs}}</td></tr>{{/hostRows}}</table></div>
        {{#hasPatches}}<h2>Database patches</h2>{{#patchProblems}}<p class="errors">{{.}}</p>{{/patchProblems}}
        <div class="wide"><table id="patches"><tr><th>Patch</th><th>Kind</th><th>Locks (predicted)</th><th>Locks (seen)</th><th>Here</th>\
        <th>On staging</th><th>Expected window</th></tr>
        {{#patches}}<tr class="{{verdict}}"><td>{{name}}</td><td>{{verdict}}</td><td>{{predicted}}</td><td>{{seen}}</td>\
        <td>{{status}}{{#error}}: {{error}}{{/error}}</td>\
        <td>{{staging}}</td><td>{{window}}</td></tr>{{/patches}}</table></div>
        {{#schema}}<h3>Schema against {{staging}}</h3>{{#notCompared}}<p>Not compared: {{notCompared}}.</p>{{/notCompared}}\
        {{^notCompared}}{{^hasDifferences}}<p id="schema-same">The same schema as {{staging}}.</p>{{/hasDifferences}}{{/notCompared}}\
        {{#hasDifferences}}<ul class="errors" id="schema-drift">{{#differences}}<li>{{.}}</li>{{/differences}}</ul>{{/hasDifferences}}\
        {{/schema}}{{/hasPatches}}
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
        <table id="waves"><tr><th>Wave</th><th>Role</th><th>Host</th><th>Revision</th><th>Last step</th><th>Error</th></tr>
        {{#waves}}{{#hosts}}<tr><td>{{number}}</td><td>{{role}}</td><td>{{name}}</td><td><code>{{revision}}</code></td><td>{{done}}</td><td>{{error}}</td></tr>{{/hosts}}{{/waves}}</table>
        <h2>Steps</h2><table id="steps"><tr><th>Host</th><th>Step</th><th>Revision</th><th>Result</th><th>Seconds</th><th>Output</th></tr>
        {{#log}}<tr><td>{{host}}</td><td>{{step}}</td><td><code>{{revision}}</code></td><td>{{ok}}</td><td>{{seconds}}</td><td><pre>{{output}}</pre></td></tr>{{/log}}</table>
        """
}
