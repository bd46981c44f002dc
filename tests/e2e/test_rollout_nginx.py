"""Rollouts end to end: three instances of a small HTTP app behind a real nginx (Debian's
package), a git repository of revisions, and wrk driving load through nginx while Almanac rolls
out. A good revision reaches every host with no failed request; a revision whose health check
fails stops at the canary, which goes back to the old revision, again with no failed request.

Draining is the app's: a drained instance answers 503 to everything but its health check, and
nginx (proxy_next_upstream) sends the request to another instance; max_fails=0 keeps a 503 from
marking the instance failed for ten seconds. Reloading nginx to mark a server down would close
every client's keep-alive connection at each step instead."""
import re
import subprocess
import threading
import time

import requests

from conftest import Server, free_ports
from test_rollout_crash import roll as start_rollout, wait

APP = r'''
import os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, revision, broken, drained = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "broken", sys.argv[4]
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        health = self.path == "/health"
        status = 500 if broken and health else 503 if os.path.exists(drained) and not health else 200
        body = (revision if health else "hello from " + revision).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''

# deploy.sh HOST REVISION: restart the host's instance on the revision (broken ones start but fail /health).
DEPLOY = r'''
host=$1; revision=$2; port=${host#*:}; work=$(dirname "$0")
[ -f "$work/app-$port.pid" ] && kill "$(cat "$work/app-$port.pid")" 2>/dev/null && sleep 0.2
mode=ok; [ "$(git -C "$work/repo" show "$revision:status")" = broken ] && mode=broken
nohup python3 "$work/app.py" "$port" "$revision" "$mode" "$work/drained-$port" >/dev/null 2>&1 &
echo $! > "$work/app-$port.pid"
for i in $(seq 50); do curl -s "http://$host/health" >/dev/null && exit 0; sleep 0.1; done
exit 1
'''

def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.org", "GIT_COMMITTER_NAME": "dev",
                               "GIT_COMMITTER_EMAIL": "dev@example.org", "PATH": "/usr/bin:/bin"}).stdout.strip()


def commit(repo, status, message):
    (repo / "status").write_text(status + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


class Load:
    """wrk through nginx in the background, for as long as the rollout takes."""

    def __init__(self, url, seconds):
        self.result = None
        self.thread = threading.Thread(target=self.run, args=(url, seconds))
        self.thread.start()

    def run(self, url, seconds):
        self.result = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True, text=True).stdout

    def failures(self):
        self.thread.join()
        requests_done = int(re.search(r"(\d+) requests in", self.result).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", self.result)
        socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", self.result)
        return requests_done, (int(bad.group(1)) if bad else 0) + (sum(map(int, socket.groups())) if socket else 0)


def test_rollouts_behind_nginx_under_load(workdir):
    repo = workdir / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    first = commit(repo, "ok", "First release")
    second = commit(repo, "ok", "Faster pages (#12)")
    broken = commit(repo, "broken", "New cache (#13)")
    (workdir / "app.py").write_text(APP)
    (workdir / "deploy.sh").write_text(DEPLOY)
    *ports, lb_port = free_ports(4)
    hosts = [f"127.0.0.1:{port}" for port in ports]
    (workdir / "nginx.conf").write_text(
        f"worker_processes 1; daemon on; pid {workdir}/nginx.pid; error_log {workdir}/nginx-error.log;\n"
        "events { worker_connections 1024; }\n"
        "http { access_log off; upstream app { " + "".join(f"server {h} max_fails=0; " for h in hosts) + "keepalive 16; }\n"
        f"  server {{ listen 127.0.0.1:{lb_port}; location / {{ proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\";\n"
        "    proxy_next_upstream error timeout http_503; } } }\n")
    for host in hosts:
        subprocess.run(["sh", str(workdir / "deploy.sh"), host, first], check=True)
    subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], check=True)

    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands:
  deploy: sh {workdir}/deploy.sh {{host}} {{revision}}
  health: http://{{host}}/health
  drain: "touch {workdir}/drained-$(echo {{host}} | cut -d: -f2)"
  undrain: "rm -f {workdir}/drained-$(echo {{host}} | cut -d: -f2)"
timeouts: {{deploy: 30s, health: 3s, drain: 10s}}
health_interval: 250ms
environments:
  - {{name: production, hosts: [{", ".join(hosts)}], waves: [1, 100%]}}
""")
    server = Server(config, workdir / "data").start()

    def roll(revision):
        return wait(server, start_rollout(server, revision), seconds=40)

    def running():
        return [requests.get(f"http://{h}/health").text for h in hosts]

    try:
        initial = roll(first)
        assert initial["phase"] == "succeeded", initial  # Almanac learns what runs

        load = Load(f"http://127.0.0.1:{lb_port}/", 14)
        time.sleep(1)
        rollout = roll(second)
        done, failed = load.failures()
        assert rollout["phase"] == "succeeded", rollout
        assert running() == [second] * 3
        assert done > 1000 and failed == 0, load.result

        load = Load(f"http://127.0.0.1:{lb_port}/", 10)
        time.sleep(1)
        rollout = roll(broken)
        done, failed = load.failures()
        assert rollout["phase"] == "rolled-back", rollout
        assert rollout["failure"].startswith(f"{hosts[0]}: check failed: HTTP 500"), rollout["failure"]
        assert {entry["host"] for entry in rollout["log"] if entry["revision"] == broken} == {hosts[0]}, "stopped at the canary"
        assert running() == [second] * 3
        assert done > 500 and failed == 0, load.result
    finally:
        server.stop()
        subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-s", "stop"])
        for pid in workdir.glob("app-*.pid"):
            subprocess.run(["kill", pid.read_text().strip()])
