"""A scripted outage: a critical alert fires, a rollout rolls back, a flag is switched off, the
alert resolves. It makes one incident whose timeline holds every one of those in order, and a
postmortem draft with them; the incident and the on-call calendar pages are read in Chromium."""
import time

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, Server, monitoring_config, wait_until
from test_alerting import Exporter
from test_pages_chromium import browser  # noqa: F401  (the fixture)
from test_rollout_crash import roll, wait
from test_rollout_nginx import commit, git

FLAGS = """flags:
  checkout-v2:
    state: ENABLED
    variants: {on: true, off: false}
    defaultVariant: on
"""


def test_an_outage_makes_one_incident_with_its_timeline(browser, workdir):  # noqa: F811
    repo = workdir / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    good, bad = commit(repo, "ok", "good"), commit(repo, "broken", "bad")
    hosts = workdir / "hosts"
    hosts.mkdir()
    # The bad revision starts but reports something else: its check fails and it rolls back.
    (workdir / "deploy.sh").write_text(f'if [ "$2" = "{bad}" ]; then echo broken > {hosts}/$1; else echo $2 > {hosts}/$1; fi\n')
    exporter = Exporter(series='demo_queue_depth{queue="orders"}', value=1)
    config = monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{exporter.port}']\n    interval: 1s\n    timeout: 900ms\n",
        rules="rules:\n  - alert: QueueDeep\n    service: orders\n    series: demo_queue_depth\n    above: {critical: 10}\n")
    (config / "flags" / "none.yaml").write_text(FLAGS)
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands: {{deploy: "sh {workdir}/deploy.sh {{host}} {{revision}}", health: "cat {hosts}/{{host}}"}}
timeouts: {{deploy: 3s, health: 1s}}
health_interval: 100ms
environments:
  - {{name: production, hosts: [h1], waves: [1], gates: {{budget: false}}}}
""")
    (config / "oncall").mkdir()
    (config / "oncall" / "team.yaml").write_text(
        'rotations:\n  - name: orders\n    team: orders\n    layers: [{name: primary, people: [ana, bob], start: "2026-01-05T09:00", handoff: 1w}]\n')
    server = Server(config, workdir / "data", args=["--rule-interval", "1"]).start()
    try:
        assert wait(server, roll(server, good))["phase"] == "succeeded"
        time.sleep(1)
        exporter.value = 50
        assert wait_until(lambda: incidents(server), 15), "the critical alert opens an incident"
        assert wait(server, roll(server, bad))["phase"] == "rolled-back"
        switched = requests.put(server.url + "/api/v1/flags/checkout-v2/state", json={"state": "DISABLED", "comment": "outage"},
                                headers=ADMIN, timeout=10)
        assert switched.status_code == 200, switched.text
        time.sleep(1)
        exporter.value = 1
        assert wait_until(lambda: [e for e in history(server) if e["rule"] == "QueueDeep" and e["event"] == "resolved"], 15)
        assert len(incidents(server)) == 1, "one incident for the one outage"
        incident_id = incidents(server)[0]["id"]
        noted = requests.post(f"{server.url}/api/v1/incidents/{incident_id}/notes", json={"text": "queue drained by hand"},
                              headers=ADMIN, timeout=10)
        assert noted.status_code == 200, noted.text
        resolved = requests.post(f"{server.url}/api/v1/incidents/{incident_id}/resolve", json={"summary": "The bad release filled the queue."},
                                 headers=ADMIN, timeout=10)
        assert resolved.status_code == 200 and resolved.json()["resolved_at"], resolved.text
        bad_summary = requests.post(f"{server.url}/api/v1/incidents/{incident_id}/resolve", json={"summary": " "}, headers=ADMIN, timeout=10)
        assert bad_summary.status_code == 400 and bad_summary.json()["field"] == "summary", bad_summary.text

        timeline = requests.get(f"{server.url}/api/v1/incidents/{incident_id}", headers=ADMIN, timeout=10).json()["timeline"]
        assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
        wanted = [("alert", "QueueDeep fired"), ("rollout", f"rollout of production to {bad[:10]}"), ("rollback", "rollback of production"),
                  ("flag", "flag checkout-v2: disable"), ("alert", "QueueDeep resolved"), ("note", "queue drained by hand"),
                  ("note", "resolved: The bad release filled the queue.")]
        positions = []
        for kind, text in wanted:
            found = [i for i, e in enumerate(timeline) if e["kind"] == kind and text in e["text"]]
            assert found, f"{kind} {text} in {timeline}"
            positions.append(found[0])
        assert positions == sorted(positions), f"in order: {timeline}"

        draft = requests.get(f"{server.url}/api/v1/incidents/{incident_id}/postmortem", headers=ADMIN, timeout=10)
        assert draft.headers["Content-Type"].startswith("text/markdown")
        assert "## Timeline" in draft.text and "- QueueDeep {" in draft.text and 'queue="orders"}: firing ' in draft.text, draft.text
        for kind, text in wanted:
            assert f"{kind}: {text}" in draft.text, (kind, text, draft.text)

        browser.get(f"{server.url}/incidents/{incident_id}")
        rows = browser.find_elements(By.CSS_SELECTOR, "#timeline tr")
        assert len(rows) == len(timeline) + 1, [r.text for r in rows]
        assert "rollback" in [r.get_attribute("class") for r in rows]
        browser.get(f"{server.url}/oncall")
        shifts = browser.find_elements(By.CSS_SELECTOR, 'section[data-rotation="orders"] table.shifts tr.regular')
        assert len(shifts) >= 4, "four weeks of shifts"
        browser.save_screenshot(str(workdir / "incident.png"))
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()


def incidents(server):
    return requests.get(server.url + "/api/v1/incidents", headers=ADMIN, timeout=10).json()["incidents"]


def history(server):
    return requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN, timeout=10).json()["events"]
