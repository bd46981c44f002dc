"""The error-rate gate between waves reads the configured source: a real Prometheus (Debian's
package) scraping a small exporter of `http_errors_ratio`. Above its level the rollout rolls
back at the canary; below it, it goes on; with Prometheus gone, the gate cannot read and holds
the rollout (fail closed) instead of letting the next wave start."""
import shutil
import time

import requests

from conftest import ADMIN, Server, free_port, start_and_wait
from test_alerting import Exporter
from test_rollout_crash import roll, setup, wait


def prometheus_for(workdir, exporter_port):
    port = free_port()
    (workdir / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s}\nscrape_configs:\n"
        f"  - job_name: web\n    static_configs: [{{targets: ['127.0.0.1:{exporter_port}']}}]\n")
    url = f"http://127.0.0.1:{port}"
    process = start_and_wait([shutil.which("prometheus"), f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={workdir / 'tsdb'}",
                              f"--web.listen-address=127.0.0.1:{port}"], url + "/-/ready")
    return process, url


def latest(url, value):
    """Waits until Prometheus has scraped `value`."""
    deadline = time.time() + 30
    while time.time() < deadline:
        result = requests.get(url + "/api/v1/query", params={"query": "http_errors_ratio"}).json()["data"]["result"]
        if result and float(result[0]["value"][1]) == value:
            return
        time.sleep(0.2)
    raise AssertionError(f"Prometheus never saw {value}")


def test_error_rate_gate_reads_prometheus(workdir):
    config, hosts, revisions = setup(workdir)
    pipeline = config / "pipeline" / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace(
        "{name: production, hosts: [h1, h2, h3], waves: [1, 100%]}",
        "{name: production, hosts: [h1, h2, h3], waves: [1, 100%], gates: {alerts: false, error_rate: {series: http_errors_ratio, above: 0.02}}}"))
    exporter = Exporter(series='http_errors_ratio{service="web"}', value=0.001)
    prometheus, url = prometheus_for(workdir, exporter.port)
    try:
        (config / "monitoring").mkdir()
        (config / "monitoring" / "source.yaml").write_text(f"prometheus:\n  url: {url}\n  timeout: 5s\n")
        server = Server(config, workdir / "data").start()
        try:
            latest(url, 0.001)
            good = wait(server, roll(server, revisions[0]))
            assert good["phase"] == "succeeded", good
            assert [(hosts / h).read_text().strip() for h in ["h1", "h2", "h3"]] == [revisions[0]] * 3

            exporter.value = 0.25
            latest(url, 0.25)
            bad = wait(server, roll(server, revisions[1]))
            assert bad["phase"] == "rolled-back", bad
            assert bad["failure"] == "http_errors_ratio is 0.25, above 0.02", bad
            assert [(hosts / h).read_text().strip() for h in ["h1", "h2", "h3"]] == [revisions[0]] * 3, "the canary went back"

            # Prometheus gone: the gate cannot read its input, so the rollout holds after the canary.
            prometheus.terminate()
            prometheus.wait(timeout=20)
            held = wait(server, roll(server, revisions[2]), phases=("paused", "succeeded", "rolled-back"))
            assert held["phase"] == "paused", held
            assert held["held"].startswith("the error-rate gate cannot read http_errors_ratio"), held
            assert [(hosts / h).read_text().strip() for h in ["h1", "h2", "h3"]] == [revisions[2], revisions[0], revisions[0]]
            page = requests.get(f"{server.url}/rollouts/{held['id']}", headers=ADMIN).text
            assert "Held: the error-rate gate cannot read" in page
        finally:
            server.stop()
    finally:
        if prometheus.poll() is None:
            prometheus.terminate()
            prometheus.wait(timeout=20)
        exporter.server.shutdown()
