"""Flag ramps behind guards, end to end on the wall clock: a local app asks Almanac (OFREP) which
variant each request's user gets, fails 5% of the requests its new search serves, and counts
requests by flag, variant and status for a real Prometheus (Debian's package), which Almanac
reads as its series source; `almanac load run` drives the app at 200 requests a second.
The new search's ramp (1 → 10 → 50 → 100, reverting on failure) stops before 50% and reverts,
and the receiver hears of it once; a healthy ramp beside it holds, saying why, once Prometheus
is stopped, and both stay where they stopped across a restart."""
import json
import random
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from conftest import ADMIN, BINARY, CLIENT_KEY, Server, WebhookReceiver, free_port, start_and_wait, wait_until

FLAGS = ["new-search", "new-footer"]


class App:
    """One page; each request is a random user's, whose variants Almanac's bulk evaluation names."""

    def __init__(self, almanac_url):
        self.counts = {(flag, variant, code): 0 for flag in FLAGS for variant in ("old", "new") for code in ("200", "500")}
        self.lock = threading.Lock()
        self.local = threading.local()
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path == "/metrics":
                    with app.lock:
                        lines = [f'app_requests_total{{flag="{f}",variant="{v}",code="{c}"}} {n}' for (f, v, c), n in app.counts.items()]
                    return self.answer(200, ("# TYPE app_requests_total counter\n" + "\n".join(lines) + "\n").encode())
                variants = app.variants(f"user-{random.randrange(1_000_000)}")
                code = "500" if variants["new-search"] == "new" and random.random() < 0.05 else "200"
                with app.lock:
                    for flag in FLAGS:
                        app.counts[(flag, variants[flag], code)] += 1
                self.answer(int(code), b"<html><body>search</body></html>")

            def answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.almanac_url = almanac_url
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]

    def variants(self, user):
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        try:
            answer = self.local.session.post(f"{self.almanac_url}/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": user}},
                                             headers={"X-API-Key": CLIENT_KEY}, timeout=5).json()
        except requests.RequestException:
            return {flag: "old" for flag in FLAGS}  # as an SDK falls back to the default when the server is away
        return {flag["key"]: flag["variant"] for flag in answer["flags"]}


def ramp(flag, every, failure):
    return f"""  {flag}:
    state: ENABLED
    variants: {{old: false, new: true}}
    defaultVariant: old
    ramp:
      variant: new
      steps: [1, 10, 50, 100]
      every: {every}
      on_failure: {failure}
      guards:
        guardrails:
          - {{name: errors, errors: 'app_requests_total{{flag="{flag}",code="500"}}', total: 'app_requests_total{{flag="{flag}"}}', margin: 0.01}}
"""


def setup(workdir, prometheus_url, receiver):
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "ramps.yaml").write_text("flags:\n" + ramp("new-search", "30s", "revert") + ramp("new-footer", "40s", "hold"))
    (config / "monitoring").mkdir()
    (config / "monitoring" / "source.yaml").write_text(f"prometheus:\n  url: {prometheus_url}\n  timeout: 2s\n")
    (config / "monitoring" / "notifications.yaml").write_text(f"receivers:\n  - name: flags\n    webhook: {receiver.url}\n")
    return config


def state(server, flag):
    return requests.get(f"{server.url}/api/v1/flags/{flag}/ramp", headers=ADMIN, timeout=10).json()


def test_a_harmful_ramp_reverts_and_an_unreadable_guard_holds(workdir):
    receiver = WebhookReceiver()
    prometheus_port, almanac_port = free_port(), free_port()
    app = App(f"http://127.0.0.1:{almanac_port}")
    prometheus_url = f"http://127.0.0.1:{prometheus_port}"
    config = setup(workdir, prometheus_url, receiver)
    (workdir / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s}\nscrape_configs:\n"
        f"  - job_name: app\n    static_configs: [{{targets: ['127.0.0.1:{app.port}']}}]\n")
    prometheus = start_and_wait([shutil.which("prometheus"), f"--config.file={workdir / 'prometheus.yml'}",
                                 f"--storage.tsdb.path={workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{prometheus_port}"],
                                prometheus_url + "/-/ready")
    loadtests = config / "capacity" / "loadtests"
    loadtests.mkdir(parents=True)
    (loadtests / "app.yaml").write_text(f"service: search\ntarget: http://127.0.0.1:{app.port}\nrequests: [{{url: /}}]\n"
                                        "open: {rate: 200, duration: 120s}\n")
    # The guards read the app's series from the start: Prometheus has them before Almanac starts.
    assert wait_until(lambda: requests.get(prometheus_url + "/api/v1/query", params={"query": "app_requests_total"}).json()["data"]["result"],
                      seconds=15)
    server = Server(config, workdir / "data", port=almanac_port).start()
    load = subprocess.Popen([str(BINARY), "load", "run", "app", "--config", str(config), "--data", str(workdir / "load-data"),
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert wait_until(lambda: state(server, "new-search")["status"] == "running", seconds=15), state(server, "new-search")
        started = time.time()
        # 1% for 30 s, then 10%, where the 5% errors show; it must revert before the 50% step is due.
        assert wait_until(lambda: state(server, "new-search")["status"] != "running", seconds=58), state(server, "new-search")
        search = state(server, "new-search")
        assert search["status"] == "reverted" and search["percent"] == 0 and search["step"] == 1, json.dumps(search)
        assert time.time() - started < 60, "reverted before the 50% step"
        assert search["reason"].startswith("guardrail errors: new fails"), search
        audit = requests.get(f"{server.url}/api/v1/flags/new-search/audit", headers=ADMIN, timeout=10).json()["entries"]
        assert [(e["action"], e["after"].split(":")[0]) for e in reversed(audit)] == [
            ("ramp-start", "1% running"), ("ramp-step", "10% running"), ("ramp-revert", "0% reverted")], audit
        assert all(e["actor"] == "ramp" for e in audit)
        # Every user is back on the old search: served by Almanac, seen in the app's counts.
        for user in range(200):
            assert app.variants(f"after-{user}")["new-search"] == "old"
        assert wait_until(lambda: len([b for b in receiver.bodies if "new-search" in json.dumps(b)]) == 1, seconds=10), receiver.bodies
        message = json.dumps([b for b in receiver.bodies if "new-search" in json.dumps(b)][0])
        assert "reverted to 0%" in message and "guardrail errors" in message, message

        # The flag's page draws the share over time with each move marked, and says why it stopped.
        page = requests.get(f"{server.url}/flags/new-search", headers=ADMIN, timeout=10).text
        assert 'id="ramp-status">reverted' in page and "guardrail errors: new fails" in page, page
        assert page.count("ramp-step: 10% running") == 1 and "ramp-revert: 0% reverted" in page
        print(f"reverted {time.time() - started:.0f} s after the start: {search['reason']}")

        # The healthy ramp is at 10%; with Prometheus gone its guard cannot be read: it holds.
        footer = state(server, "new-footer")
        assert footer["status"] == "running" and footer["percent"] == 10, footer
        prometheus.terminate()
        prometheus.wait(timeout=20)
        assert wait_until(lambda: state(server, "new-footer")["status"] == "held", seconds=15), state(server, "new-footer")
        footer = state(server, "new-footer")
        assert footer["percent"] == 10 and "a guard cannot be read: guardrail errors" in footer["reason"], footer
        assert time.time() - started < 78, "held before its 50% step was due"
        assert wait_until(lambda: any("new-footer" in json.dumps(b) for b in receiver.bodies), seconds=10)
        time.sleep(1)
        assert len(receiver.bodies) == 2, receiver.bodies

        # Both stay where they stopped across a restart.
        server.stop()
        server.start()
        assert (state(server, "new-search")["status"], state(server, "new-footer")["status"]) == ("reverted", "held")
        # A person resumes the held ramp; without Prometheus it holds again at once.
        resumed = server.admin("POST", "/api/v1/flags/new-footer/ramp", action="resume", comment="Prometheus is back soon")
        assert resumed.status_code == 200 and resumed.json()["action"] == "ramp-resume", resumed.text
        again = server.admin("POST", "/api/v1/flags/new-search/ramp", action="resume", comment="")
        assert again.status_code == 409 and again.json()["field"] == "action" and "restarts" in again.json()["error"], again.text
        assert wait_until(lambda: state(server, "new-footer")["status"] == "held", seconds=15)
    finally:
        load.kill()
        load.wait()
        server.stop()
        if prometheus.poll() is None:
            prometheus.terminate()
            prometheus.wait(timeout=20)
        app.server.shutdown()
        receiver.server.shutdown()
