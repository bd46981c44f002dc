"""A rollout opens a maintenance window for each host while it is out of rotation: four hosts,
each down for three seconds while it is redeployed, a host-down rule scraping them every second,
and a real webhook receiver. The rollout sends no host-down notification, the history records
each one held back by the rollout, and a host that goes down outside a rollout is notified."""
import subprocess
import time

import requests

from conftest import ADMIN, Server, WebhookReceiver, free_port, monitoring_config, wait_until
from test_rollout_crash import roll, wait
from test_rollout_nginx import commit, git

APP = r'''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, revision = int(sys.argv[1]), sys.argv[2]
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (revision if self.path == "/health" else "# TYPE app_info gauge\napp_info 1\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''

# deploy.sh HOST REVISION: the host is down for three seconds, then answers with the revision.
DEPLOY = r'''
host=$1; revision=$2; port=${host#*:}; work=$(dirname "$0")
[ -f "$work/app-$port.pid" ] && kill "$(cat "$work/app-$port.pid")" 2>/dev/null
sleep "${DOWN_SECONDS:-3}"
nohup python3 "$work/app.py" "$port" "$revision" >/dev/null 2>&1 &
echo $! > "$work/app-$port.pid"
for i in $(seq 50); do curl -s "http://$host/health" >/dev/null && exit 0; sleep 0.1; done
exit 1
'''


def host_down(receiver):
    return [(a["labels"]["instance"], a["status"]) for _, a in receiver.alerts() if a["labels"]["alertname"] == "HostDown"]


def test_a_four_host_rollout_sends_no_host_down_notification(workdir):
    repo = workdir / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, "ok", "First release")
    second = commit(repo, "ok", "Second release")
    (workdir / "app.py").write_text(APP)
    (workdir / "deploy.sh").write_text(DEPLOY)
    hosts = [f"127.0.0.1:{free_port()}" for _ in range(4)]
    starting = [subprocess.Popen(["sh", str(workdir / "deploy.sh"), h, first], env={"DOWN_SECONDS": "0", "PATH": "/usr/bin:/bin"})
                for h in hosts]
    assert all(p.wait(timeout=30) == 0 for p in starting)
    receiver = WebhookReceiver()
    config = monitoring_config(
        workdir, "jobs:\n  - job: app\n    targets: [" + ", ".join(f"'{h}'" for h in hosts) + "]\n    interval: 1s\n    timeout: 500ms\n",
        rules="rules:\n  - alert: HostDown\n    series: up{job=\"app\"}\n    below: {critical: 0.5}\n",
        notifications=f"receivers:\n  - name: ops\n    webhook: {receiver.url}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands:
  deploy: sh {workdir}/deploy.sh {{host}} {{revision}}
  health: http://{{host}}/health
timeouts: {{deploy: 30s, health: 5s}}
health_interval: 250ms
environments:
  - {{name: production, hosts: [{", ".join(hosts)}], waves: [1, 100%]}}
""")
    server = Server(config, workdir / "data", args=["--rule-interval", "1", "--notification-backoff", "2"]).start()
    try:
        time.sleep(3)
        for revision in (first, second):
            rollout = wait(server, roll(server, revision), seconds=90)
            assert rollout["phase"] == "succeeded", rollout
        time.sleep(5)  # a late notification would have arrived by now
        assert host_down(receiver) == [], host_down(receiver)

        history = requests.get(server.url + "/api/v1/alerts/history", params={"limit": 1000}, headers=ADMIN, timeout=10).json()["events"]
        held = [e for e in history if e["rule"] == "HostDown" and e["event"].startswith("held back by rollout ")]
        fired = [e for e in history if e["rule"] == "HostDown" and e["event"] == "fired"]
        assert len(fired) >= 8 and len(held) == len(fired), history  # every host down twice, each held back
        assert {h for h in hosts if any(h in e["labels"] for e in held)} == set(hosts)
        windows = [e for e in history if e["rule"].startswith("silence #") and "rollout" in e["event"]]
        assert len(windows) == 16, windows  # eight windows opened and closed by the rollouts

        # The host's chart marks both rollouts where they started.
        series = requests.get(server.url + "/api/v1/series", headers=ADMIN, timeout=10).json()["series"]
        up = next(s["id"] for s in series if s["name"] == "up" and s["labels"].get("instance") == hosts[0])
        chart = requests.get(f"{server.url}/series/{up}", headers=ADMIN, timeout=10).text
        for revision in (first, second):
            assert f"<title>rollout of production to {revision[:10]} by admin (admin token)</title>" in chart, chart[-3000:]

        # Outside a rollout a host that goes down is notified: the windows closed.
        pid = (workdir / f"app-{hosts[2].split(':')[1]}.pid").read_text().strip()
        subprocess.run(["kill", pid], check=True)
        assert wait_until(lambda: host_down(receiver), 15) == [(hosts[2], "firing")], host_down(receiver)
        print(f"\n2 rollouts of 4 hosts: {len(fired)} host-down alerts, all held back; 0 notifications; then 1 for a host down outside")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
        for pid_file in workdir.glob("app-*.pid"):
            subprocess.run(["kill", pid_file.read_text().strip()], capture_output=True)
