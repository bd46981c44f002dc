"""kill -9 of the server in the middle of a rollout: after restart the rollout shows as
interrupted with each host's known revision, the crashed server's lock is free once its lease
ends, and resuming finishes the rollout. Also a deploy that hangs past its timeout and a host
that reports the wrong revision: each stops safely with every host back on the old revision."""
import json
import signal
import subprocess
import time

import requests

from conftest import ADMIN, ADMIN_TOKEN, BINARY, Server



def setup(workdir, deploy_seconds=0.0):
    repo = workdir / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "d@example.org", "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "d@example.org"}
    revisions = []
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, capture_output=True)
    for message in ["one", "two", "three"]:
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", message], check=True, env=env)
        revisions.append(subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip())
    hosts = workdir / "hosts"
    hosts.mkdir()
    # A host runs what its file says; a deploy takes deploy_seconds.
    (workdir / "deploy.sh").write_text(f"sleep {deploy_seconds}\necho $2 > {hosts}/$1\n")
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands: {{deploy: "sh {workdir}/deploy.sh {{host}} {{revision}}", health: "cat {hosts}/{{host}}"}}
timeouts: {{deploy: 3s, health: 1s}}
health_interval: 100ms
environments:
  - {{name: production, hosts: [h1, h2, h3], waves: [1, 100%]}}
""")
    return config, hosts, revisions


def roll(server, revision):
    started = requests.post(server.url + "/api/v1/pipeline/production/rollouts", json={"revision": revision}, headers=ADMIN)
    assert started.status_code == 202, started.text
    return started.json()["id"]


def wait(server, rollout_id, phases=("succeeded", "rolled-back", "aborted", "interrupted"), seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        rollout = requests.get(f"{server.url}/api/v1/rollouts/{rollout_id}", headers=ADMIN).json()
        if rollout["phase"] in phases:
            return rollout
        time.sleep(0.1)
    raise AssertionError(f"not {phases}: {rollout}")


def on_disk(hosts):
    return [(hosts / h).read_text().strip() for h in ["h1", "h2", "h3"]]


def test_kill_9_mid_rollout_then_resume(workdir):
    config, hosts, (one, two, _) = setup(workdir, deploy_seconds=1.0)
    server = Server(config, workdir / "data", args=["--rollout-lease", "4"]).start()
    try:
        wait(server, roll(server, one))
        rollout_id = roll(server, two)
        # Kill while the second wave's first host deploys.
        wait(server, rollout_id, phases=("running",))
        deadline = time.time() + 30
        while time.time() < deadline:
            rollout = requests.get(f"{server.url}/api/v1/rollouts/{rollout_id}", headers=ADMIN).json()
            if any(h["name"] == "h2" and h.get("done") == "drain" for h in rollout["hosts"]):
                break
            time.sleep(0.05)
        server.stop(signal.SIGKILL)
        server.start()
        rollout = requests.get(f"{server.url}/api/v1/rollouts/{rollout_id}", headers=ADMIN).json()
        assert rollout["phase"] == "interrupted", rollout
        known = {h["name"]: h.get("revision") for h in rollout["hosts"]}
        assert known["h1"] == two and known["h3"] == one, known
        # The dead server's lock holds until its lease ends, then the rollout resumes here.
        assert requests.post(f"{server.url}/api/v1/rollouts/{rollout_id}/resume", headers=ADMIN).status_code == 409
        time.sleep(4.5)
        assert requests.post(f"{server.url}/api/v1/rollouts/{rollout_id}/resume", headers=ADMIN).status_code == 200
        assert wait(server, rollout_id)["phase"] == "succeeded"
        assert on_disk(hosts) == [two] * 3
    finally:
        server.stop()


def test_hanging_deploy_and_wrong_revision_roll_back(workdir):
    config, hosts, (one, two, three) = setup(workdir)
    # Revision two hangs in its deploy; three comes up reporting another revision.
    (workdir / "deploy.sh").write_text(
        f'[ "$2" = "{two}" ] && sleep 600\n[ "$2" = "{three}" ] && {{ echo 0000000deadbeef > {hosts}/$1; exit 0; }}\necho $2 > {hosts}/$1\n')
    server = Server(config, workdir / "data").start()
    try:
        assert wait(server, roll(server, one))["phase"] == "succeeded"
        hung = wait(server, roll(server, two))
        assert hung["phase"] == "rolled-back" and "timed out after 3.0 s" in hung["failure"], hung
        assert on_disk(hosts) == [one] * 3
        lied = wait(server, roll(server, three))
        assert lied["phase"] == "rolled-back" and "reports revision 0000000deadbeef" in lied["failure"], lied
        assert on_disk(hosts) == [one] * 3
    finally:
        server.stop()


def test_the_pipeline_from_the_command_line(workdir):
    config, hosts, (one, two, _) = setup(workdir)
    server = Server(config, workdir / "data").start()
    try:
        def cli(*args):
            done = subprocess.run([str(BINARY), "pipeline", *args, "--server", server.url, "--token", ADMIN_TOKEN, "--comment", "from the CLI"],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)
        assert cli("qa", one, "ok")["state"] == "ok"
        assert cli("qa", two, "untestable")["state"] == "untestable"
        status = cli("status", "production")
        assert status["deployable"] == two and status["blocked_by"] is not None
        rollout_id = cli("rollout", "production", two)["id"]
        assert wait(server, rollout_id)["phase"] == "succeeded"
        assert on_disk(hosts) == [two] * 3
        assert {h["host"] for h in cli("drift")["hosts"]} <= {"h1", "h2", "h3"}
    finally:
        server.stop()
