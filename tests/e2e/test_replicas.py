"""Three replicas on one PostgreSQL behind a real nginx (Debian's package), scraping a real
node_exporter, with a rule that always fires and one that the test makes fire later:
work done once per cluster runs once, a kill -9 of the replica holding the leases hands them
over within two lease periods, and a PostgreSQL outage answers 503 and heals without restarts.

The PostgreSQL server is this test's own (scripts/test-postgres on a private directory and
port), so it can be stopped without touching the other tests' server."""
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

from conftest import ADMIN, ROOT, Server, WebhookReceiver, free_port, free_ports, start_and_wait, wait_until
from test_alerting import Exporter

LEASE = 2.0
INTERVAL = 5.0


def notified(receiver):
    """(alert, status) of each notification the receiver got, in order."""
    return [(body["alerts"][0]["labels"]["alertname"], body["status"]) for body in receiver.bodies]


def postgres(workdir):
    """This test's PostgreSQL server, and functions that stop and start it."""
    directory, port = f"/tmp/almanac-replicas-pg-{free_port()}", free_port()
    url = subprocess.run([str(ROOT / "scripts" / "test-postgres"), directory, str(port)], check=True, capture_output=True,
                         text=True).stdout.strip()
    binary = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    prefix = ["runuser", "-u", "postgres", "--"] if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0" else []

    def control(*args):
        subprocess.run(prefix + [str(binary / "pg_ctl"), "-D", directory, "-w", *args], check=True, capture_output=True)

    subprocess.run(["psql", url.split("?")[0], "-qc", "CREATE DATABASE cluster"], check=True, capture_output=True)
    database = url.replace("/postgres?", "/cluster?")
    stop = lambda: control("-m", "fast", "stop")
    start = lambda: control("-l", f"{directory}/server.log", "-o",
                            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start")
    return database, stop, start, lambda: (control("-m", "immediate", "stop"), shutil.rmtree(directory, ignore_errors=True))


def samples(base, name, seconds, job="node"):
    series = requests.get(f"{base}/api/v1/series", params={"name": name}, headers=ADMIN, timeout=10).json()["series"]
    series = [s for s in series if s["labels"].get("job") == job]
    assert len(series) == 1, series
    now = int(time.time() * 1000)
    return requests.get(f"{base}/api/v1/series/{series[0]['id']}/samples", params={"from": now - int(seconds * 1000), "to": now},
                        headers=ADMIN, timeout=10).json()["samples"]


def holders(base):
    cluster = requests.get(base + "/api/v1/cluster", headers=ADMIN, timeout=10).json()
    return cluster, {lease["name"]: lease.get("holder") for lease in cluster["leases"]}



def test_three_replicas_share_the_work_survive_a_kill_and_an_outage(workdir):
    database, stop_postgres, start_postgres, remove_postgres = postgres(workdir)
    node_port = free_port()
    node = start_and_wait(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{node_port}", "--collector.disable-defaults",
                           "--collector.loadavg", "--collector.meminfo", "--collector.cpu"], f"http://127.0.0.1:{node_port}/metrics")
    hook_port = free_port()
    hooks, gauge = WebhookReceiver(hook_port), Exporter(series="demo_backlog", value=0)
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "app.yaml").write_text(
        "flags:\n  new-checkout:\n    state: ENABLED\n    variants: {on: true, off: false}\n    defaultVariant: on\n")
    (config / "monitoring" / "rules").mkdir(parents=True)
    (config / "monitoring" / "targets.yaml").write_text(
        f"jobs:\n  - job: node\n    targets: ['127.0.0.1:{node_port}']\n    interval: {int(INTERVAL)}s\n"
        f"  - job: demo\n    targets: ['127.0.0.1:{gauge.port}']\n    interval: 1s\n")
    (config / "monitoring" / "rules" / "rules.yaml").write_text(
        "rules:\n  - alert: NodeUp\n    series: up{job=\"node\"}\n    above: {warning: 0.5}\n"
        "  - alert: BacklogHigh\n    series: demo_backlog\n    above: {warning: 10}\n")
    (config / "monitoring" / "notifications.yaml").write_text(f"receivers:\n  - name: ops\n    webhook: http://127.0.0.1:{hook_port}/hook\n")

    ports = free_ports(3)
    lb = free_port()
    (workdir / "nginx.conf").write_text(
        f"worker_processes 1; daemon on; pid {workdir}/nginx.pid; error_log {workdir}/nginx-error.log;\n"
        "events { worker_connections 256; }\n"
        "http { access_log off; upstream almanac { " + "".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=2s; " for p in ports)
        + "}\n"
        f"  server {{ listen 127.0.0.1:{lb}; location / {{ proxy_pass http://almanac; proxy_next_upstream error timeout;\n"
        "    proxy_connect_timeout 1s; } } }\n")
    subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], check=True)
    base = f"http://127.0.0.1:{lb}"
    args = ["--lease", str(LEASE), "--rule-interval", "1", "--notification-backoff", "2"]
    replicas = [Server(config, workdir / f"data-{i}", database, args=args, port=port) for i, port in enumerate(ports)]
    try:
        # Started at the same instant on an empty database: all come up.
        starters = [threading.Thread(target=replica.start) for replica in replicas]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        assert all(r.process is not None and r.process.poll() is None for r in replicas), "all come up"

        once = ("scraping", "rule evaluation", "notifications", "retention and rollups", "rollout recovery and daily follows")

        def settled():
            # Every replica's heartbeat and every lease taken: the last lease can land after the last heartbeat.
            cluster, held = holders(base)
            return (cluster, held) if len(cluster["replicas"]) == 3 and all(held.get(name) for name in once) else None

        state = wait_until(settled, 10)
        assert state, holders(base)
        cluster, held = state
        page = requests.get(base + "/cluster", timeout=10, headers=ADMIN).text
        assert page.count("(this one)") == 1 and all(r["id"] in page for r in cluster["replicas"]), page
        time.sleep(4 * INTERVAL)
        up = samples(base, "up", 4 * INTERVAL)
        gaps = [b[0] - a[0] for a, b in zip(up, up[1:])]
        assert len(up) >= 3 and all(0.8 * INTERVAL * 1000 < gap < 1.2 * INTERVAL * 1000 for gap in gaps), \
            f"one sample per scrape interval, no overlapping scrapes: {gaps}"
        assert wait_until(lambda: [n for n in notified(hooks) if n[0] == "NodeUp"], 10), "NodeUp fires"

        # A kill switch through one replica reaches the others within a second.
        flip = requests.put(f"http://127.0.0.1:{ports[1]}/api/v1/flags/new-checkout/state", json={"state": "DISABLED"},
                            headers=ADMIN, timeout=10)
        assert flip.status_code == 200, flip.text
        flipped = time.time()
        for replica in (replicas[0], replicas[2]):
            assert wait_until(lambda: replica.evaluate("new-checkout").json().get("reason") == "DISABLED", 1.0, step=0.02)
        assert time.time() - flipped < 1.5

        # kill -9 of the replica holding the scraping lease, while NodeUp fires.
        leader_id = held["scraping"]
        leader = next(r for r in replicas if f"-{r.process.pid}-" in leader_id)
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait()
        killed = time.time()
        taken = wait_until(lambda: (lambda h: h if h.get("scraping") not in (None, leader_id) else None)(holders(base)[1]), 2 * LEASE + 1)
        assert taken, "another replica takes scraping over"
        took = time.time() - killed
        assert took <= 2 * LEASE + 0.5, f"took {took:.1f} s"
        gauge.value = 50  # BacklogHigh fires under the new holders
        assert wait_until(lambda: [n for n in notified(hooks) if n[0] == "BacklogHigh"], 15), "BacklogHigh reaches the webhook"
        time.sleep(3 * INTERVAL)
        up = samples(base, "up", 8 * INTERVAL)
        gaps = [b[0] - a[0] for a, b in zip(up, up[1:])]
        assert all(gap < 2.2 * INTERVAL * 1000 for gap in gaps), f"at most one missed scrape: {gaps}"
        assert all(gap > 0.8 * INTERVAL * 1000 for gap in gaps), f"no scrape twice: {gaps}"
        time.sleep(3)
        assert sorted(notified(hooks)) == [("BacklogHigh", "firing"), ("NodeUp", "firing")], \
            f"each notification exactly once: {notified(hooks)}"

        # PostgreSQL stopped for 30 s: pages and the API answer 503 with a reason; then all heal.
        survivors = [r for r in replicas if r is not leader]
        stop_postgres()
        stopped = time.time()
        time.sleep(2)
        page = requests.get(f"{survivors[0].url}/alerts", timeout=30, headers=ADMIN)
        assert page.status_code == 503 and "database cannot be reached" in page.text, (page.status_code, page.text[:500])
        api = requests.get(f"{survivors[1].url}/api/v1/series", headers=ADMIN, timeout=30)
        assert api.status_code == 503 and "database cannot be reached" in api.json()["error"], api.text
        assert survivors[0].evaluate("new-checkout").json()["reason"] == "DISABLED", "evaluation goes on from memory"
        time.sleep(max(0, 30 - (time.time() - stopped)))
        start_postgres()
        for replica in survivors:
            assert wait_until(lambda: requests.get(replica.url + "/api/v1/series", headers=ADMIN, timeout=10).status_code == 200, 30), \
                replica.log.read_text()[-3000:]
        before = len(samples(base, "up", 3600))
        assert wait_until(lambda: len(samples(base, "up", 3600)) >= before + 2, 6 * INTERVAL), "scraping resumes"
        assert wait_until(lambda: all(holders(base)[1].get(name) for name in ("scraping", "rule evaluation", "notifications")), 10)
        flag = requests.get(base + "/api/v1/flags", headers=ADMIN, timeout=10).json()
        assert any(f["key"] == "new-checkout" and f["state"] == "DISABLED" for f in flag["flags"]), "the acknowledged kill switch stays"
        assert all(r.process.poll() is None for r in survivors), "both recover without a restart"
        print(f"\nlease {LEASE} s: scraping taken over {took:.1f} s after kill -9; notifications {notified(hooks)}")
    except AssertionError:
        for replica in replicas:
            print(replica.log.read_text()[-2500:])
        raise
    finally:
        for replica in replicas:
            replica.stop()
        subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-s", "stop"])
        node.terminate()
        remove_postgres()

