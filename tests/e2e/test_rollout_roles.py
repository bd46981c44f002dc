"""Rollouts by role on local hosts: a real nginx front serving each revision's assets and
proxying pages to two app hosts, and a backend host whose cron job writes for 5 s every 10 s.
The front goes first (old and new assets both served), the app hosts in waves, the backend last
with its job held: under `almanac load run` at 200 requests/s no request fails, no page names an
asset the front cannot serve (the load test fetches each page, then its asset), the job is never
killed and never runs during the backend's deploy, and it runs again afterwards. A job past its
wait limit and a hold that fails each stop the rollout, naming the job."""
import json
import subprocess
import time

import requests

from conftest import ADMIN, BINARY, Server, free_ports, wait_until
from test_rollout_crash import roll as start_rollout, wait
from test_rollout_nginx import commit, git

APP = r'''
import os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port, revision, drained = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        health = self.path == "/health"
        status = 503 if os.path.exists(drained) and not health else 200
        page = f'<html><head><link rel="stylesheet" href="/assets/{revision[:12]}/app.css"></head><body>{revision}</body></html>'
        body = (revision if health else page).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''

APP_DEPLOY = r'''
host=$1; revision=$2; port=${host#*:}; work=$(dirname "$0")
[ -f "$work/app-$port.pid" ] && kill "$(cat "$work/app-$port.pid")" 2>/dev/null && sleep 0.2
nohup python3 "$work/app.py" "$port" "$revision" "$work/drained-$port" >/dev/null 2>&1 &
echo $! > "$work/app-$port.pid"
for i in $(seq 50); do curl -s "http://$host/health" >/dev/null && exit 0; sleep 0.1; done
exit 1
'''

# The front keeps every revision's assets it was given; cleanup keeps only the current one.
FRONT_DEPLOY = r'''
work=$(dirname "$0"); short=$(echo "$1" | cut -c1-12)
mkdir -p "$work/front/assets/$short"
git -C "$work/repo" show "$1:app.css" > "$work/front/assets/$short/app.css"
echo "$1" > "$work/front/revision"
'''
FRONT_CLEANUP = r'''
work=$(dirname "$0"); short=$(echo "$1" | cut -c1-12)
for dir in "$work/front/assets"/*; do [ "$(basename "$dir")" = "$short" ] || rm -rf "$dir"; done
'''

# The backend's deploy takes a second and writes when it starts and ends beside the job's runs.
BACKEND_DEPLOY = r'''
work=$(dirname "$0")
echo "deploy-start $(date +%s.%N)" >> "$work/job.log"
sleep 1
echo "$1" > "$work/backend-revision"
echo "deploy-end $(date +%s.%N)" >> "$work/job.log"
'''

# A cron wrapper as the README asks for one: it takes the lock first, then looks for the hold
# file (so a hold set while Almanac looks at the lock is always seen), and runs for `seconds`.
JOB = r'''
import fcntl, os, sys, time
lock, hold, log, seconds, every = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
while True:
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if os.path.exists(hold):
            with open(log, "a") as out: out.write(f"held {time.time()}\n")
        else:
            with open(log, "a") as out: out.write(f"start {time.time()}\n")
            time.sleep(seconds)
            with open(log, "a") as out: out.write(f"end {time.time()}\n")
    time.sleep(every - time.time() % every)
'''


def setup(workdir, job_seconds=5.0, hold=None, wait_limit="8s"):
    repo = workdir / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    revisions = []
    for colour in ["red", "blue"]:
        (repo / "app.css").write_text(f"body {{ color: {colour} }}\n")
        revisions.append(commit(repo, "ok", f"Pages in {colour}"))
    for name, text in [("app.py", APP), ("app.sh", APP_DEPLOY), ("front.sh", FRONT_DEPLOY), ("front-clean.sh", FRONT_CLEANUP),
                       ("backend.sh", BACKEND_DEPLOY), ("job.py", JOB)]:
        (workdir / name).write_text(text)
    *ports, front_port = free_ports(3)
    apps = [f"127.0.0.1:{port}" for port in ports]
    (workdir / "nginx.conf").write_text(
        f"worker_processes 1; daemon on; pid {workdir}/nginx.pid; error_log {workdir}/nginx-error.log;\n"
        "events { worker_connections 1024; }\n"
        "http { access_log off; upstream app { " + "".join(f"server {h} max_fails=0; " for h in apps) + "keepalive 16; }\n"
        f"  server {{ listen 127.0.0.1:{front_port}; location /assets/ {{ root {workdir}/front; }}\n"
        "    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\";\n"
        "      proxy_next_upstream error timeout http_503; } } }\n")
    hold = hold or f"{{file: {workdir}/export.hold}}"
    workdir.chmod(0o755)  # nginx's workers (www-data) read the front's assets from here
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands:
  deploy: sh {workdir}/app.sh {{host}} {{revision}}
  health: http://{{host}}/health
  drain: "touch {workdir}/drained-$(echo {{host}} | cut -d: -f2)"
  undrain: "rm -f {workdir}/drained-$(echo {{host}} | cut -d: -f2)"
timeouts: {{deploy: 30s, health: 5s, drain: 10s}}
health_interval: 250ms
roles:
  - name: front
    commands: {{deploy: "sh {workdir}/front.sh {{revision}}", health: "cat {workdir}/front/revision", drain: "true", undrain: "true",
               cleanup: "sh {workdir}/front-clean.sh {{revision}}"}}
  - name: app
    waves: [1, 100%]
  - name: backend
    commands: {{deploy: "sh {workdir}/backend.sh {{revision}}", health: "cat {workdir}/backend-revision", drain: "true", undrain: "true"}}
    jobs:
      - {{name: export, schedule: "*/10 * * * * *", running: {{lock_file: {workdir}/export.lock}}, hold: {hold}, wait: {wait_limit}}}
environments:
  - name: production
    hosts: {{front: [front1], app: [{", ".join(apps)}], backend: [cron1]}}
""")
    capacity = config / "capacity" / "loadtests"
    capacity.mkdir(parents=True)
    (capacity / "front.yaml").write_text(f"service: shop\ntarget: http://127.0.0.1:{front_port}\nrequests: [{{url: /, assets: true}}]\n"
                                   "open: {rate: 200, duration: 20s}\n")
    # Every host starts on the first revision, and the job on its schedule.
    subprocess.run(["sh", str(workdir / "front.sh"), revisions[0]], check=True)
    subprocess.run(["sh", str(workdir / "backend.sh"), revisions[0]], check=True)
    for host in apps:
        subprocess.run(["sh", str(workdir / "app.sh"), host, revisions[0]], check=True)
    subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], check=True)
    job = subprocess.Popen(["python3", str(workdir / "job.py"), str(workdir / "export.lock"), str(workdir / "export.hold"),
                            str(workdir / "job.log"), str(job_seconds), "10"])
    return config, revisions, apps, front_port, job


def stop(workdir, job, apps):
    job.kill()
    subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-s", "stop"], capture_output=True)
    for host in apps:
        pid = workdir / f"app-{host.split(':')[1]}.pid"
        if pid.exists():
            subprocess.run(["kill", pid.read_text().strip()], capture_output=True)


def job_runs(workdir):
    """The job's runs and the deploys as (kind, start, end) from the log both write."""
    events = [line.split() for line in (workdir / "job.log").read_text().splitlines()]
    out, open_run, open_deploy = [], None, None
    for kind, at in events:
        at = float(at)
        if kind == "start":
            open_run = at
        elif kind == "end":
            out.append(("run", open_run, at))
        elif kind == "deploy-start":
            open_deploy = at
        elif kind == "deploy-end":
            out.append(("deploy", open_deploy, at))
    return out, [kind for kind, _ in events]


def test_three_roles_under_load_with_the_backend_job_held(workdir):
    config, (first, second), apps, front_port, job = setup(workdir)
    server = Server(config, workdir / "data").start()
    front = f"http://127.0.0.1:{front_port}"
    try:
        assert wait(server, start_rollout(server, first), seconds=60)["phase"] == "succeeded"
        # Start the release while the job runs, so the backend's hold has something to wait for.
        assert wait_until(lambda: job_runs(workdir)[1][-1:] == ["start"], seconds=15), "the job started a run"
        load = subprocess.Popen([str(BINARY), "load", "run", "front", "--config", str(config), "--data", str(workdir / "load-data"),
                                 "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(1)
        rollout = wait(server, start_rollout(server, second), seconds=60)
        summary = json.loads(load.communicate(timeout=60)[0])["summary"]
        assert rollout["phase"] == "succeeded", rollout
        # Each page, then the asset it names: none failed, none named an asset the front lacked.
        assert summary["errors"] == 0 and summary["completed"] >= 3000 and summary["failures"] == [], summary
        assert summary["assets"] == summary["completed"] and summary["missing_assets"] == [], summary

        steps = [(entry["host"], entry["step"]) for entry in rollout["log"] if entry["revision"] == second]
        order = [host for host, _ in steps]
        assert order.index("front1") < order.index(apps[0]) < order.index("cron1"), steps
        assert [step for host, step in steps if host == "cron1"] == ["hold", "drain", "deploy", "check", "undrain", "release"]
        assert ("front1", "cleanup") in steps
        hold = next(e for e in rollout["log"] if e["host"] == "cron1" and e["step"] == "hold" and e["revision"] == second)
        assert "waited" in hold["output"] and "export" in hold["output"], hold["output"]
        # The old assets are gone once nothing needs them: the load test would have seen a page naming them.
        assert requests.get(f"{front}/assets/{first[:12]}/app.css").status_code == 404
        assert requests.get(f"{front}/assets/{second[:12]}/app.css").status_code == 200

        # Runs resume: one more run starts after the deploy.
        assert wait_until(lambda: job_runs(workdir)[1].count("start") > job_runs(workdir)[1].count("deploy-start"), seconds=25)
        runs, kinds = job_runs(workdir)
        deploys = [(a, b) for kind, a, b in runs if kind == "deploy"][1:]
        jobs = [(a, b) for kind, a, b in runs if kind == "run"]
        assert kinds.count("start") - kinds.count("end") <= 1, "every run but the current one ended: none was killed"
        assert all(b - a >= 4.9 for a, b in jobs), jobs
        for d_start, d_end in deploys:
            assert all(b < d_start or a > d_end for a, b in jobs), (deploys, jobs)
            assert any(a > d_end for a, _ in jobs), "a run after the deploy"
        assert not (workdir / "export.hold").exists()
        page = requests.get(f"{server.url}/pipeline/production", headers=ADMIN).text
        assert "Single point of failure: front has one host (front1)" in page and "backend has one host (cron1)" in page
        status = requests.get(f"{server.url}/api/v1/pipeline/production", headers=ADMIN).json()
        assert status["roles"]["cron1"] == "backend" and {p["role"] for p in status["single_points"]} == {"front", "backend"}
        assert all(p["measured"] and p["outage_seconds"] > 0 for p in status["single_points"]), status["single_points"]
        # The catalogue's report lists them too, on its page and from the command line, with the same outage.
        report = requests.get(f"{server.url}/catalog/report", headers=ADMIN).text
        assert "Pipeline roles with one host" in report and "<td>cron1</td>" in report, report
        cli = subprocess.run([str(BINARY), "catalog", "report", "--format", "json", "--config", str(config), "--data", str(workdir / "data")],
                             capture_output=True, text=True, check=True)
        roles = {(r["environment"], r["role"], r["host"]): r for r in json.loads(cli.stdout)["single_host_roles"]}
        assert set(roles) == {("production", "front", "front1"), ("production", "backend", "cron1")}, roles
        for point in status["single_points"]:
            listed = roles[("production", point["role"], point["host"])]
            assert listed["measured"] and listed["outage_seconds"] == point["outage_seconds"], (listed, point)
    finally:
        server.stop()
        stop(workdir, job, apps)


def test_a_job_past_its_limit_and_a_failing_hold_stop_the_rollout(workdir):
    config, (first, second), apps, _, job = setup(workdir, job_seconds=30, wait_limit="2s")
    server = Server(config, workdir / "data").start()
    try:
        assert wait_until(lambda: job_runs(workdir)[1][-1:] == ["start"], seconds=15), "the job started its long run"
        rollout = wait(server, start_rollout(server, first), phases=("paused", "succeeded", "rolled-back"), seconds=60)
        assert rollout["phase"] == "paused", rollout
        assert "cron1: hold: " in rollout["held"] and "job 'export' still runs after 2 s" in rollout["held"], rollout["held"]
        assert job.poll() is None and job_runs(workdir)[1][-1] == "start", "the job was not killed"
        assert not (workdir / "export.hold").exists(), "the holds were released"
        cron = next(h for h in rollout["hosts"] if h["name"] == "cron1")
        assert cron.get("done") is None and cron["role"] == "backend", "cron1 was neither drained nor deployed"
        assert "still runs after 2 s" in requests.get(f"{server.url}/rollouts/{rollout['id']}", headers=ADMIN).text
    finally:
        server.stop()
        stop(workdir, job, apps)


def test_a_hold_command_that_fails_stops_the_rollout(workdir):
    config, (first, _), apps, _, job = setup(workdir, hold='{command: "exit 3", release: "true"}')
    server = Server(config, workdir / "data").start()
    try:
        rollout = wait(server, start_rollout(server, first), phases=("paused", "succeeded", "rolled-back"), seconds=60)
        assert rollout["phase"] == "paused" and "job 'export': the hold failed" in rollout["held"], rollout
        cron = next(h for h in rollout["hosts"] if h["name"] == "cron1")
        assert cron.get("done") is None, cron
    finally:
        server.stop()
        stop(workdir, job, apps)
