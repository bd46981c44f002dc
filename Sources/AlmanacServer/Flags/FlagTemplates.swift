/// The flag pages' templates: the list, one flag, and the login form.
enum FlagTemplates {
    static let all: [String: String] = ["flags": list, "flag": detail]

    static let list = """
        <h1>Flags{{#environment}} <small>in {{environment}}</small>{{/environment}}</h1>
        {{#hasErrors}}<div class="errors"><strong>The flag files have errors; the last good set is serving.</strong><ul>{{#reloadErrors}}<li><code>{{.}}</code></li>{{/reloadErrors}}</ul></div>{{/hasErrors}}
        {{#hasWarnings}}<div class="errors" id="warnings"><strong>Targeting that cannot do what it says; these flags answer as flagd would (null, or PARSE_ERROR):</strong><ul>{{#warnings}}<li><code>{{.}}</code></li>{{/warnings}}</ul></div>{{/hasWarnings}}
        <table id="flags"><thead><tr><th>Flag</th><th>State</th><th>Type</th><th>Variants</th><th>Default</th><th>Owner</th><th>Expires</th><th>Evaluations (24 h)</th><th>Marks</th></tr></thead><tbody>
        {{#flags}}<tr data-flag="{{key}}"><td><a href="/flags/{{key}}">{{key}}</a></td><td><span class="tag {{state}}">{{state}}</span></td><td>{{type}}</td>
        <td>{{variants}}</td><td>{{defaultVariant}}</td><td>{{owner}}</td><td>{{expires}}</td><td class="evaluations">{{evaluations}}</td>
        <td>{{#marks}}<span class="tag stale" title="{{detail}}">{{kind}}</span>{{/marks}}</td></tr>{{/flags}}
        </tbody></table>
        """

    static let detail = """
        <h1>{{key}} <span class="tag {{state}}" id="state">{{state}}</span></h1>
        {{#description}}<p>{{description}}</p>{{/description}}
        <p>Type {{type}} · owner {{owner}}{{^owner}}nobody{{/owner}} · expires {{expires}}{{^expires}}never{{/expires}} · defined in <code>{{source}}</code></p>
        {{#actor}}
        <form method="post" action="/flags/{{key}}/state" id="kill-switch">
        <input type="hidden" name="state" value="{{nextState}}">
        <input name="comment" placeholder="why (kept in the audit log)" size="40">
        <button type="submit">{{nextAction}}</button></form>
        {{/actor}}
        <h2>Variants</h2><table><tr><th>Variant</th><th>Value</th><th></th></tr>
        {{#variants}}<tr><td>{{name}}</td><td><code>{{value}}</code></td><td>{{#isDefault}}default{{/isDefault}}</td></tr>{{/variants}}</table>
        <h2>Rules</h2>
        {{#hasScopes}}<ol>{{#scopes}}<li>{{.}}</li>{{/scopes}}</ol>{{/hasScopes}}
        {{#targetingText}}<p id="targeting">{{targetingText}}</p><details><summary>JsonLogic</summary><pre>{{targetingJSON}}</pre></details>{{/targetingText}}
        {{^targetingText}}{{^hasScopes}}<p>No targeting: everyone gets the default variant.</p>{{/hasScopes}}{{/targetingText}}
        {{#ramp}}<h2>Ramp</h2><section id="ramp">
        <p><strong>{{variant}}</strong> instead of {{control}} for a growing share of users: {{plan}}.</p>
        <p>Now <strong id="ramp-share">{{percent}}</strong>
        <span class="tag {{#stopped}}DISABLED{{/stopped}}" id="ramp-status">{{status}}</span>{{#reason}} <span id="ramp-reason">{{reason}}</span>{{/reason}}</p>
        <p>Steps only while: {{guards}}.</p>
        <div class="chart">{{{chart}}}</div>
        {{#hasActions}}{{#actor}}<form method="post" action="/flags/{{key}}/ramp" id="ramp-control">
        <select name="action">{{#actions}}<option>{{.}}</option>{{/actions}}</select>
        <input name="comment" placeholder="why (kept in the audit log)" size="40"><button type="submit">Apply</button></form>{{/actor}}{{/hasActions}}
        </section>{{/ramp}}
        {{#hasEnvironments}}<p>Overridden in: {{#environments}}<span class="tag">{{.}}</span>{{/environments}}</p>{{/hasEnvironments}}
        {{#actor}}
        <h2>Pins</h2>
        <table id="pins"><tr><th>Who</th><th>Variant</th><th></th></tr>
        {{#pins}}<tr><td>{{subject}}</td><td>{{variant}}</td><td>{{#actor}}<form class="inline" method="post" action="/flags/{{key}}/unpin"><input type="hidden" name="subject" value="{{subject}}"><button>Remove</button></form>{{/actor}}</td></tr>{{/pins}}
        </table>
        {{#actor}}<form method="post" action="/flags/{{key}}/pin"><input name="subject" placeholder="user:alice or team:qa" required>
        <select name="variant">{{#variants}}<option>{{name}}</option>{{/variants}}</select><button>Pin</button></form>{{/actor}}
        <h2>History</h2><table id="audit"><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Before</th><th>After</th><th>Why</th></tr>
        {{#audit}}<tr><td>{{when}}</td><td>{{actor}}</td><td>{{action}} {{subject}}</td><td>{{before}}</td><td>{{after}}</td><td>{{comment}}</td></tr>{{/audit}}
        </table>
        {{/actor}}
        {{^actor}}<p><a href="/login">Sign in</a> to see who has pinned a variant and the change history.</p>{{/actor}}
        """
}
