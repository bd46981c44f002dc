"""The OpenAPI document and the server's types cannot drift: every operation of the document is
called on the bundled example, successes and each domain's errors alike, and every answer must
have a status the document gives for that operation and a body that validates against its schema
made strict (an object's properties are all it may have), so a field a response type adds, drops
or renames fails here. Errors must have the one shape, `{"error": ..., "field": ...}`."""
import copy
import json
import shutil
from pathlib import Path

import pytest
import requests
from jsonschema import Draft202012Validator

from conftest import ADMIN, CLIENT_KEY, EXAMPLE, Server, wait_until

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "Sources/AlmanacServer/Resources/openapi.json").read_text())
# Any operation may refuse a caller; the document lists these once per operation as well.
ANY_OPERATION = {"401", "403", "429"}


def strict(node):
    """The schema with references inlined and every object closed to properties it does not name."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return strict(copy.deepcopy(DOCUMENT["components"]["schemas"][name]))
    out = {key: strict(value) for key, value in node.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def operation(method, path):
    return DOCUMENT["paths"][path][method.lower()]


class Contract:
    def __init__(self, server):
        self.server, self.tried, self.problems = server, set(), []

    def call(self, method, template, path=None, body=None, status=None, headers=None, field=None):
        """Calls the operation `template` (at `path`, its parameters filled) and checks the answer
        against the document; `status` is what this call must get, `field` what its error names."""
        headers = dict(ADMIN if headers is None else headers)
        reply = requests.request(method, self.server.url + (path or template), json=body, headers=headers, timeout=30)
        self.tried.add((method, template))
        where = f"{method} {path or template} -> {reply.status_code}"
        if status is not None and reply.status_code != status:
            self.problems.append(f"{where}: expected {status}: {reply.text[:300]}")
            return reply
        responses = operation(method, template)["responses"]
        documented = responses.get(str(reply.status_code))
        if documented is None:
            self.problems.append(f"{where}: the document gives no {reply.status_code} for this operation: {reply.text[:300]}")
            return reply
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return reply
        if not reply.headers.get("content-type", "").startswith("application/json"):
            self.problems.append(f"{where}: documented as JSON, sent {reply.headers.get('content-type')}")
            return reply
        for error in Draft202012Validator(strict(schema)).iter_errors(reply.json()):
            self.problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message[:300]}")
        if reply.status_code >= 400 and field is not None and reply.json().get("field") != field:
            self.problems.append(f"{where}: the error names field {reply.json().get('field')!r}, not {field!r}")
        return reply


@pytest.fixture
def contract(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*"))
    server = Server(config, workdir / "data").start()
    yield Contract(server)
    server.stop()
    shutil.rmtree(config / ".example-hosts", ignore_errors=True)


def test_every_operation_answers_as_the_document_says(contract):
    c = contract
    for path in ["/healthz", "/readyz", "/metrics", "/api/openapi.json"]:
        c.call("GET", path, status=200)

    client = {"X-API-Key": CLIENT_KEY}
    flags = c.call("GET", "/api/v1/flags", status=200).json()["flags"]
    flag = next(f for f in flags if f["type"] == "boolean" and len(f["variants"]) >= 2)
    key, variant = flag["key"], sorted(flag["variants"])[0]
    c.call("GET", "/ofrep/v1/configuration", headers=client, status=200)
    c.call("POST", "/ofrep/v1/evaluate/flags/{key}", f"/ofrep/v1/evaluate/flags/{key}", {"context": {"targetingKey": "ann"}}, headers=client, status=200)
    c.call("POST", "/ofrep/v1/evaluate/flags/{key}", "/ofrep/v1/evaluate/flags/ghost", {"context": {}}, headers=client, status=404)
    c.call("POST", "/ofrep/v1/evaluate/flags", body={"context": {"targetingKey": "ann"}}, headers=client, status=200)

    # Experiments: the example's A/B test, its events and a decision.
    assert [e["flag"] for e in c.call("GET", "/api/v1/experiments", status=200).json()["experiments"]] == ["homepage-hero"]
    hero = c.call("GET", "/api/v1/experiments/{key}", "/api/v1/experiments/homepage-hero", status=200).json()
    assert hero["users"][0]["users"] > 1000 and hero["metrics"][0]["analysis"]["variants"][1]["sequential"]["p_value"] < 1
    c.call("GET", "/api/v1/experiments/{key}", "/api/v1/experiments/search-suggestions", status=404)
    event = {"id": "contract-1", "type": "conversion", "flag": "homepage-hero", "variant": "scan", "targeting_key": "ann", "event": "scan"}
    assert c.call("POST", "/api/v1/events", body={"events": [event]}, headers=client, status=200).json()["new_conversions"] == 1
    c.call("POST", "/api/v1/events", body={"events": [{**event, "variant": "both"}]}, headers=client, status=400, field="events[0].variant")
    c.call("POST", "/api/v1/events", body={"events": [{**event, "value": "x"}]}, headers=client, status=400, field="events.0.value")
    c.call("POST", "/api/v1/experiments/{key}/decision", "/api/v1/experiments/homepage-hero/decision",
           {"decision": "keep-running", "comment": "contract"}, status=200)
    c.call("POST", "/api/v1/experiments/{key}/decision", "/api/v1/experiments/homepage-hero/decision",
           {"decision": "maybe", "comment": "contract"}, status=400, field="decision")

    # Ramps: the example's, started by the job on the first start; a person holds and resumes it.
    assert wait_until(lambda: c.call("GET", "/api/v1/ramps", status=200).json()["ramps"][0]["status"] == "running", seconds=15)
    ramp = c.call("GET", "/api/v1/flags/{key}/ramp", "/api/v1/flags/nutrition-panel-layout/ramp", status=200).json()
    assert (ramp["variant"], ramp["percent"], ramp["steps"]) == ("cards", 5, [5, 25, 50, 100]), ramp
    c.call("GET", "/api/v1/flags/{key}/ramp", "/api/v1/flags/search-suggestions/ramp", status=404)
    held = c.call("POST", "/api/v1/flags/{key}/ramp", "/api/v1/flags/nutrition-panel-layout/ramp", {"action": "hold", "comment": "contract"},
                  status=200).json()
    assert held["action"] == "ramp-hold" and held["after"] == "5% held: held by admin (admin token)", held
    c.call("POST", "/api/v1/flags/{key}/ramp", "/api/v1/flags/nutrition-panel-layout/ramp", {"action": "hold"}, status=409, field="action")
    c.call("POST", "/api/v1/flags/{key}/ramp", "/api/v1/flags/nutrition-panel-layout/ramp", {"action": "jump"}, status=400, field="action")
    c.call("POST", "/api/v1/flags/{key}/ramp", "/api/v1/flags/nutrition-panel-layout/ramp", {"action": "resume"}, status=200)

    # Flags: ChangeProblem's two cases and the request types' own refusals.
    c.call("GET", "/api/v1/flags/status", status=200)
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", {"state": "DISABLED", "comment": "contract"}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", {"state": None}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/state", "/api/v1/flags/ghost/state", {"state": "DISABLED"}, status=404)
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", {"state": "OFF"}, status=400, field="state")
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", {}, status=400, field="state")
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", {"state": None, "comment": "x" * 2001}, status=400, field="comment")
    c.call("PUT", "/api/v1/flags/{key}/default-variant", f"/api/v1/flags/{key}/default-variant", {"variant": variant}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/default-variant", f"/api/v1/flags/{key}/default-variant", {"variant": "nope"}, status=400, field="variant")
    c.call("PUT", "/api/v1/flags/{key}/default-variant", f"/api/v1/flags/{key}/default-variant", {"variant": None}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/pins", f"/api/v1/flags/{key}/pins", {"subject": "user:ann", "variant": variant}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/pins", f"/api/v1/flags/{key}/pins", {"subject": "ann", "variant": variant}, status=400, field="subject")
    c.call("PUT", "/api/v1/flags/{key}/pins", f"/api/v1/flags/{key}/pins", {"subject": "user:ann"}, status=400, field="variant")
    c.call("DELETE", "/api/v1/flags/{key}/pins", f"/api/v1/flags/{key}/pins", {"subject": "user:ann"}, status=200)
    c.call("PUT", "/api/v1/flags/{key}/state", f"/api/v1/flags/{key}/state", "[1]", status=400)
    assert len(c.call("GET", "/api/v1/flags/{key}/audit", f"/api/v1/flags/{key}/audit", status=200).json()["entries"]) >= 5
    c.call("GET", "/api/v1/audit", status=200)

    # Monitoring: series, alerts, silences (AlertService.Problem's two cases).
    series = c.call("GET", "/api/v1/series", status=200).json()["series"]
    c.call("GET", "/api/v1/series/{id}/samples", f"/api/v1/series/{series[0]['id']}/samples", status=200)
    c.call("GET", "/api/v1/series/{id}/samples", "/api/v1/series/x/samples", status=400, field="id")
    for path in ["/api/v1/storage", "/api/v1/alerts/history", "/api/v1/silences", "/api/v1/trends", "/api/v1/thresholds",
                 "/api/v1/monitoring/status", "/api/v1/drift", "/api/v1/cluster", "/api/v1/costs", "/api/v1/checks", "/api/v1/timeline",
                 "/api/v1/backups", "/api/v1/tokens", "/api/v1/slos", "/api/v1/oncall", "/api/v1/escalations", "/api/v1/incidents",
                 "/api/v1/loadtests"]:
        c.call("GET", path, status=200)
    silence = c.call("POST", "/api/v1/silences", body={"matchers": '{server="off2"}', "duration": "1h", "comment": "contract"}, status=201)
    c.call("POST", "/api/v1/silences", body={"matchers": '{server="off2"', "duration": "1h", "comment": "contract"}, status=400, field="matchers")
    c.call("POST", "/api/v1/silences", body={"matchers": 5, "comment": "contract"}, status=400, field="matchers")
    c.call("DELETE", "/api/v1/silences/{id}", f"/api/v1/silences/{silence.json()['id']}", status=200)
    c.call("DELETE", "/api/v1/silences/{id}", "/api/v1/silences/999999", status=404)
    c.call("POST", "/api/v1/alerts/ack", body={"rule": "NoSuchRule", "labels": {}}, status=404)
    c.call("POST", "/api/v1/alerts/ack", body={"labels": {}}, status=400, field="rule")
    c.call("POST", "/api/v1/alerts/ack", body={"rule": "NoSuchRule", "labels": {"a": 1}}, status=400, field="labels")

    # The pipeline: RolloutError and PipelineService.Problem, without starting a rollout.
    c.call("GET", "/api/v1/pipeline/{environment}", "/api/v1/pipeline/staging", status=200)
    c.call("GET", "/api/v1/pipeline/{environment}", "/api/v1/pipeline/nowhere", status=404)
    c.call("GET", "/api/v1/pipeline/{environment}/rollouts", "/api/v1/pipeline/staging/rollouts", status=200)
    c.call("POST", "/api/v1/pipeline/{environment}/rollouts", "/api/v1/pipeline/staging/rollouts", {"revision": ""}, status=400, field="revision")
    c.call("POST", "/api/v1/pipeline/{environment}/rollouts", "/api/v1/pipeline/nowhere/rollouts", {"revision": "main"}, status=404)
    c.call("POST", "/api/v1/pipeline/{environment}/follow", "/api/v1/pipeline/nowhere/follow", status=404)
    c.call("GET", "/api/v1/rollouts/{id}", "/api/v1/rollouts/nope", status=404)
    c.call("POST", "/api/v1/rollouts/{id}/{action}", "/api/v1/rollouts/nope/pause", status=404)
    c.call("POST", "/api/v1/rollouts/{id}/{action}", "/api/v1/rollouts/nope/dance", status=404)
    c.call("PUT", "/api/v1/revisions/{hash}/qa", "/api/v1/revisions/abc123/qa", {"state": "bogus"}, status=400)
    c.call("POST", "/api/v1/pipeline/{environment}/rollouts", "/api/v1/pipeline/staging/rollouts", {"revision": "no-such-revision"},
           status=400, field="revision")
    rollout = c.call("POST", "/api/v1/pipeline/{environment}/rollouts", "/api/v1/pipeline/staging/rollouts", {"revision": "main"}, status=202)
    path = f"/api/v1/rollouts/{rollout.json()['id']}"
    phase = wait_until(lambda: c.call("GET", "/api/v1/rollouts/{id}", path, status=200).json()["phase"] in ("succeeded", "rolled-back"), 60)
    assert phase, c.call("GET", "/api/v1/rollouts/{id}", path).text
    c.call("POST", "/api/v1/rollouts/{id}/{action}", path + "/resume", status=409)
    c.call("POST", "/api/v1/pipeline/{environment}/follow", "/api/v1/pipeline/staging/follow")

    # Capacity, backups, access, service levels, on call and incidents.
    tests = c.call("GET", "/api/v1/loadtests", status=200).json()["loadtests"]
    c.call("GET", "/api/v1/loadtests/{name}/runs", f"/api/v1/loadtests/{tests[0]['name']}/runs", status=200)
    c.call("GET", "/api/v1/loadruns/{id}", "/api/v1/loadruns/999999", status=404, field="id")
    c.call("GET", "/api/v1/loadruns/{id}", "/api/v1/loadruns/x", status=400, field="id")
    c.call("POST", "/api/v1/backups/{name}/drill", "/api/v1/backups/nope/drill", status=404, field="name")
    c.call("GET", "/api/v1/whoami")
    token = c.call("POST", "/api/v1/tokens", body={"name": "contract", "role": "viewer", "days": 7}, status=201)
    c.call("POST", "/api/v1/tokens", body={"name": "", "role": "viewer"}, status=400, field="name")
    c.call("POST", "/api/v1/tokens", body={"name": "contract", "role": "viewer", "days": "soon"}, status=400, field="days")
    c.call("DELETE", "/api/v1/tokens/{id}", f"/api/v1/tokens/{token.json()['id']}", status=200)
    c.call("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/999999", status=404)
    slos = c.call("GET", "/api/v1/slos", status=200).json()["slos"]
    c.call("GET", "/api/v1/slos/{name}", f"/api/v1/slos/{slos[0]['name']}", status=200)
    c.call("GET", "/api/v1/slos/{name}", "/api/v1/slos/nope", status=404)
    c.call("POST", "/api/v1/escalations/{id}/ack", "/api/v1/escalations/nope/ack", status=404)
    incident = c.call("POST", "/api/v1/incidents", body={"title": "contract"}, status=201).json()["id"]
    c.call("POST", "/api/v1/incidents", body={"title": ""}, status=400, field="title")
    c.call("GET", "/api/v1/incidents/{id}", f"/api/v1/incidents/{incident}", status=200)
    c.call("GET", "/api/v1/incidents/{id}", "/api/v1/incidents/nope", status=404)
    c.call("GET", "/api/v1/incidents/{id}/postmortem", f"/api/v1/incidents/{incident}/postmortem", status=200)
    c.call("POST", "/api/v1/incidents/{id}/notes", f"/api/v1/incidents/{incident}/notes", {"text": "a note"}, status=200)
    c.call("POST", "/api/v1/incidents/{id}/notes", "/api/v1/incidents/nope/notes", {"text": "a note"}, status=404)
    c.call("POST", "/api/v1/incidents/{id}/resolve", f"/api/v1/incidents/{incident}/resolve", {"summary": "done"}, status=200)

    # Without credentials, the API's refusal has the same shape.
    c.call("GET", "/api/v1/flags", headers={}, status=401)

    assert not c.problems, "\n".join(c.problems)
    every = {(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods}
    assert every - c.tried == set(), f"operations the contract does not call: {sorted(every - c.tried)}"
