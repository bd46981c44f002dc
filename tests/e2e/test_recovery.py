"""Recovery end to end: a service that crashes a second and a half after each start is restarted
by its recovery command with a growing backoff, within its budget, then escalated once with its
output; a dependant whose database check fails is held, the database named as the cause; ten
failing services with a fleet limit of two never have more than two recoveries at once."""
import stat
import time

import requests

from conftest import ADMIN, Server, free_port, monitoring_config, wait_until

CRASHY = """import sys, threading, os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "3"); self.end_headers(); self.wfile.write(b"ok\\n")
    def log_message(self, *a): pass
threading.Timer(1.5, lambda: os._exit(1)).start()
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def catalog(*components, depends=None):
    parts = ["apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team}\nspec: {type: team, children: []}\n"]
    parts.append("apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db}\nspec: {type: database, owner: team}\n")
    for name in components:
        needs = f", dependsOn: [resource:db]" if name == depends else ""
        parts.append(f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}}}\n"
                     f"spec: {{type: service, lifecycle: production, owner: team{needs}}}\n")
    return "---\n".join(parts)


def script(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def timeline(server, check):
    return list(reversed(requests.get(server.url + "/api/v1/timeline", params={"check": check}, headers=ADMIN).json()["events"]))



ESCALATION_RULE = "rules:\n  - alert: RecoveryGaveUp\n    series: almanac_check_escalated\n    above: 0\n"


def setup(workdir, checks, components, depends=None):
    config = monitoring_config(workdir, "jobs: []\n", rules=ESCALATION_RULE)
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(catalog(*components, depends=depends))
    (config / "checks").mkdir()
    (config / "checks" / "all.yaml").write_text(checks)
    return config


def test_a_crash_loop_is_restarted_with_backoff_then_escalated_once_and_a_dependant_is_held(workdir):
    port, closed = free_port(), free_port()
    crashy = workdir / "crashy.py"
    crashy.write_text(CRASHY)
    start = script(workdir / "start.sh", f"#!/bin/sh\nsetsid python3 {crashy} {port} >/dev/null 2>&1 &\necho started on {port}\n")
    marker = workdir / "restarted-web"
    checks = f"""checks:
  - name: app
    entity: app
    interval: 200ms
    attempts: 1
    http: {{url: "http://127.0.0.1:{port}/"}}
    recover: {{run: "{start}", budget: 3, within: 10m, backoff: 1s, max_backoff: 10s, stable: 10m}}
  - {{name: db-port, entity: resource:db, interval: 200ms, attempts: 1, tcp: {{host: 127.0.0.1, port: {closed}}}}}
  - {{name: web, entity: web, interval: 200ms, attempts: 3, tcp: {{host: 127.0.0.1, port: {closed}}}, recover: {{run: "/usr/bin/touch {marker}"}}}}
"""
    server = Server(setup(workdir, checks, ["app", "web"], depends="web"), workdir / "data", args=["--rule-interval", "1"]).start()
    try:
        assert wait_until(lambda: any(e["event"] == "escalated" for e in timeline(server, "app")), 40)
        events = timeline(server, "app")
        runs = [e for e in events if e["event"] == "recovery"]
        assert len(runs) == 3 and all(r["status"] == "done" and f"started on {port}" in r["output"] for r in runs), runs
        assert [r["message"].split("(")[1].split(" ")[0] for r in runs] == ["1", "2", "3"]
        gaps = [b["at"] - a["at"] for a, b in zip(runs, runs[1:])]
        assert gaps[0] >= 1000 and gaps[1] >= 2000, gaps
        escalated = [e for e in events if e["event"] == "escalated"]
        assert len(escalated) == 1
        assert "3 recoveries within 10m did not hold" in escalated[0]["message"]
        assert "Last output: HTTP CRITICAL" in escalated[0]["output"] and "Latest rollout: none recorded." in escalated[0]["output"]
        time.sleep(3)
        later = timeline(server, "app")
        assert len([e for e in later if e["event"] == "recovery"]) == 3 and len([e for e in later if e["event"] == "escalated"]) == 1

        held = [e for e in timeline(server, "web") if e["event"] == "held"]
        assert len(held) == 1 and "resource:default/db (check db-port" in held[0]["message"], held
        assert not [e for e in timeline(server, "web") if e["event"] == "recovery"] and not marker.exists()
        # The escalation reaches people through an ordinary rule: it fires once, for app alone.
        def gave_up():
            events = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]
            return [e["labels"] for e in events if e["rule"] == "RecoveryGaveUp" and e["event"] == "fired"]
        assert wait_until(gave_up, 15)
        assert len(gave_up()) == 1 and 'check="app"' in gave_up()[0], gave_up()
    finally:
        server.stop()


def test_ten_failing_services_never_have_more_than_two_recoveries_at_once(workdir):
    closed = free_port()
    log = workdir / "recoveries.log"
    slow = script(workdir / "slow.sh", f"#!/bin/sh\necho \"start $1 $(date +%s.%N)\" >> {log}\nsleep 1\necho \"end $1 $(date +%s.%N)\" >> {log}\n")
    names = [f"svc{i}" for i in range(10)]
    checks = "recovery: {concurrent: 2}\nchecks:\n" + "".join(
        f"  - {{name: {n}, entity: {n}, interval: 200ms, attempts: 1, tcp: {{host: 127.0.0.1, port: {closed}}}, "
        f"recover: {{run: \"{slow} {{check}}\", budget: 1, timeout: 10s}}}}\n" for n in names)
    server = Server(setup(workdir, checks, names), workdir / "data").start()
    try:
        assert wait_until(lambda: log.exists() and log.read_text().count("end ") == 10, 40), log.read_text() if log.exists() else "no log"
        running, most = 0, 0
        for kind, _, at in sorted((line.split() for line in log.read_text().splitlines()), key=lambda p: (float(p[2]), p[0] == "start")):
            running += 1 if kind == "start" else -1
            most = max(most, running)
        assert most == 2, most
        assert sorted(line.split()[1] for line in log.read_text().splitlines() if line.startswith("start")) == names
    finally:
        server.stop()
