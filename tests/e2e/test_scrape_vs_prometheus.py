"""Almanac and a real Prometheus (Debian's package) scrape the same real node_exporter side by
side: they must hold the same series, and the same values for the series that do not move."""
import shutil
import subprocess
import time

import pytest
import requests

from conftest import ADMIN, Server, free_port, monitoring_config, start_and_wait

COLLECTORS = ["--collector.disable-defaults", "--collector.meminfo", "--collector.filesystem", "--collector.loadavg",
              "--collector.uname", "--collector.cpu", "--collector.stat"]
STEADY = ["node_memory_MemTotal_bytes", "node_filesystem_size_bytes", "node_uname_info", "up"]


@pytest.fixture
def exporter(workdir):
    binary = shutil.which("prometheus-node-exporter")
    assert binary, "prometheus-node-exporter must be installed (the test command installs it)"
    port = free_port()
    process = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}", *COLLECTORS],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/metrics", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def prometheus(exporter, workdir):
    binary = shutil.which("prometheus")
    assert binary, "prometheus must be installed (the test command installs it)"
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(f"global: {{scrape_interval: 1s, scrape_timeout: 900ms}}\nscrape_configs:\n"
                      f"  - job_name: node\n    static_configs: [{{targets: ['{exporter}'], labels: {{service: host}}}}]\n")
    url = f"http://127.0.0.1:{port}"
    process = start_and_wait([binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
                              f"--web.listen-address=127.0.0.1:{port}"], url + "/-/ready")
    yield url
    process.terminate()
    process.wait(timeout=20)


def almanac_series(server):
    series = requests.get(server.url + "/api/v1/series", headers=ADMIN).json()["series"]
    return {s["id"]: {"__name__": s["name"], **s["labels"]} for s in series if s["labels"].get("job") == "node"}


def almanac_latest(server, series_id):
    samples = requests.get(f"{server.url}/api/v1/series/{series_id}/samples", headers=ADMIN).json()["samples"]
    return float(samples[-1][1]) if samples else None


def test_same_series_and_values_as_prometheus(exporter, prometheus, workdir):
    config = monitoring_config(
        workdir, f"jobs:\n  - job: node\n    targets: ['{exporter}']\n    labels: {{service: host}}\n    interval: 1s\n    timeout: 900ms\n")
    server = Server(config, workdir / "data").start()
    try:
        # Prometheus applies new targets on a 5-second tick: wait for its first scrape, then one more.
        deadline = time.time() + 30
        while time.time() < deadline and not requests.get(prometheus + "/api/v1/query", params={"query": "up"}).json()["data"]["result"]:
            time.sleep(0.2)
        time.sleep(2.5)
        own = almanac_series(server)
        theirs = requests.get(prometheus + "/api/v1/series", params={"match[]": '{job="node"}'}).json()["data"]
        prometheus_only = {"scrape_samples_post_metric_relabeling", "scrape_series_added"}
        key = lambda labels: tuple(sorted(labels.items()))
        ours = {key(labels) for labels in own.values()}
        expected = {key(labels) for labels in theirs if labels["__name__"] not in prometheus_only}
        assert len(expected) > 50
        assert ours == expected, f"only in Almanac: {sorted(ours - expected)[:5]}; only in Prometheus: {sorted(expected - ours)[:5]}"

        checked = 0
        for series_id, labels in own.items():
            if labels["__name__"] not in STEADY:
                continue
            selector = labels["__name__"] + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__") + "}"
            result = requests.get(prometheus + "/api/v1/query", params={"query": selector}).json()["data"]["result"]
            assert len(result) == 1, selector
            assert float(result[0]["value"][1]) == almanac_latest(server, series_id), selector
            checked += 1
        assert checked >= 4
        print(f"\n{len(ours)} series in both; {checked} steady series with equal values")
    finally:
        server.stop()
