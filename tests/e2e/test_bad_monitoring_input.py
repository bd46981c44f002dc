"""Bad monitoring input end to end: a slow target, an unreachable one and one that answers
garbage are each marked down while a good one is stored; a broken rule file is reported with its
file and line while the last good rules keep firing; kill -9 loses no stored sample."""
import signal

import requests

from conftest import ADMIN, Server, free_port, monitoring_config, wait_until
from test_alerting import Exporter

RULES = "rules:\n  - alert: QueueDeep\n    series: demo_queue_depth{instance=\"%s\"}\n    above: {critical: 40}\n"


def latest(server, name, instance):
    for series in requests.get(server.url + "/api/v1/series", params={"name": name}, headers=ADMIN).json()["series"]:
        if series["labels"].get("instance") == instance:
            samples = requests.get(f"{server.url}/api/v1/series/{series['id']}/samples", headers=ADMIN).json()["samples"]
            return samples
    return []



def test_slow_unreachable_and_garbage_targets_and_a_broken_rule_file(workdir):
    good, slow, garbage = Exporter(), Exporter(delay=3), Exporter(garbage=True)
    instances = {"good": f"127.0.0.1:{good.port}", "slow": f"127.0.0.1:{slow.port}", "garbage": f"127.0.0.1:{garbage.port}",
                 "unreachable": f"127.0.0.1:{free_port()}"}
    targets = ("jobs:\n  - job: demo\n    interval: 1s\n    timeout: 500ms\n    targets: ["
               + ", ".join(f"'{address}'" for address in instances.values()) + "]\n")
    config = monitoring_config(workdir, targets, rules=RULES % instances["good"])
    rules_file = config / "monitoring" / "rules" / "rules.yaml"
    server = Server(config, workdir / "data", args=["--rule-interval", "0.5", "--reload-interval", "0.5"]).start()
    try:
        def up(name):
            samples = latest(server, "up", instances[name])
            return float(samples[-1][1]) if samples else None
        assert wait_until(lambda: all(up(name) is not None for name in instances))
        assert {name: up(name) for name in instances} == {"good": 1, "slow": 0, "garbage": 0, "unreachable": 0}
        durations = [float(v) for _, v in latest(server, "scrape_duration_seconds", instances["slow"])]
        assert all(0.4 < d < 1.5 for d in durations), durations  # cut off at the 500 ms timeout
        assert requests.get(server.url + "/healthz", headers=ADMIN).status_code == 200

        # A broken edit: reported with file and line, and the last good rules keep firing.
        rules_file.write_text("rules:\n  - alert: QueueDeep\n    series: demo_queue_depth{instance=\n    above: [\n")
        assert wait_until(lambda: requests.get(server.url + "/api/v1/monitoring/status", headers=ADMIN).json()["error"] is not None)
        status = requests.get(server.url + "/api/v1/monitoring/status", headers=ADMIN).json()
        assert status["error"].startswith("monitoring/rules/rules.yaml:"), status
        assert status["rules"] == 1 and status["targets"] == 4
        good.value = 50
        assert wait_until(lambda: any(e["event"] == "fired" for e in requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]))
        thresholds = requests.get(server.url + "/thresholds", headers=ADMIN).text
        assert 'id="reload-error"' in thresholds and "QueueDeep" in thresholds

        # Fixed, with a second rule: in force, error gone.
        rules_file.write_text(RULES % instances["good"] + "  - alert: QueueGone\n    series: demo_queue_depth\n    absent: 1m\n")
        assert wait_until(lambda: requests.get(server.url + "/api/v1/monitoring/status", headers=ADMIN).json()["rules"] == 2)
        assert requests.get(server.url + "/api/v1/monitoring/status", headers=ADMIN).json()["error"] is None

        assert wait_until(lambda: len(latest(server, "demo_queue_depth", instances["good"])) >= 3)
        stored = len(latest(server, "demo_queue_depth", instances["good"]))
        server.stop(signal.SIGKILL)
        server.start()
        assert len(latest(server, "demo_queue_depth", instances["good"])) >= stored
    finally:
        server.stop()
