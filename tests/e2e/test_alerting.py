"""Alerts end to end with real peers: Almanac scrapes a small exporter, its rules fire and resolve,
notifications reach a real Alertmanager (Debian's package) and a webhook receiver that was down
for two minutes gets every one of them afterwards, once."""
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import ADMIN, Server, WebhookReceiver, free_port, monitoring_config, start_and_wait

DOWN_SECONDS = 120
GARBAGE = b'demo_queue_depth{queue="orders" 12\n\xff\xfe{{{\n'


class Exporter:
    """Serves one gauge whose value the test sets; it can also answer late or with garbage."""

    def __init__(self, delay=0, garbage=False, series='demo_queue_depth{queue="orders"}', value=1):
        self.value = value
        name = series.split("{")[0]
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                time.sleep(delay)
                body = f"# TYPE {name} gauge\n{series} {exporter.value}\n".encode()
                if garbage:
                    body = GARBAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


@pytest.fixture
def alertmanager(workdir):
    binary = shutil.which("prometheus-alertmanager")
    assert binary, "prometheus-alertmanager must be installed (the test command installs it)"
    port, cluster = free_port(), free_port()
    config = workdir / "alertmanager.yml"
    config.write_text("route: {receiver: blackhole, group_wait: 1s, group_interval: 1s}\nreceivers: [{name: blackhole}]\n")
    url = f"http://127.0.0.1:{port}"
    process = start_and_wait([binary, f"--config.file={config}", f"--storage.path={workdir / 'am'}",
                              f"--web.listen-address=127.0.0.1:{port}", f"--cluster.listen-address=127.0.0.1:{cluster}"], url + "/-/ready")
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_alerts_reach_alertmanager_and_a_receiver_that_was_down(alertmanager, workdir):
    exporter = Exporter()
    receiver_port = free_port()
    config = monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{exporter.port}']\n    interval: 1s\n    timeout: 900ms\n",
        rules="rules:\n"
        "  - alert: QueueDeep\n    service: orders\n    series: demo_queue_depth{queue=\"orders\"}\n    above: {warning: 10, critical: 40}\n"
        "  - alert: GhostExporterMissing\n    series: up{job=\"ghost\"}\n    absent: 1m\n",
        notifications=f"receivers:\n  - name: ops\n    webhook: http://127.0.0.1:{receiver_port}/hook\n  - name: am\n    alertmanager: {alertmanager}\n")
    server = Server(config, workdir / "data", args=["--rule-interval", "1", "--notification-backoff", "5"]).start()
    started = time.time()
    try:
        time.sleep(3)
        exporter.value = 50  # QueueDeep fires, critical
        time.sleep(4)
        names = {a["labels"]["alertname"] for a in requests.get(alertmanager + "/api/v2/alerts").json()}
        assert names == {"QueueDeep", "GhostExporterMissing"}, names
        am_queue = [a for a in requests.get(alertmanager + "/api/v2/alerts").json() if a["labels"]["alertname"] == "QueueDeep"][0]
        assert am_queue["labels"]["severity"] == "critical" and am_queue["labels"]["service"] == "orders"
        exporter.value = 1  # QueueDeep resolves
        time.sleep(4)
        active = {a["labels"]["alertname"] for a in requests.get(alertmanager + "/api/v2/alerts", params={"active": "true"}).json()
                  if a["status"]["state"] == "active"}
        assert active == {"GhostExporterMissing"}, active

        time.sleep(max(0, DOWN_SECONDS - (time.time() - started)))
        receiver = WebhookReceiver(receiver_port)
        deadline = time.time() + 30
        while time.time() < deadline and len(receiver.bodies) < 3:
            time.sleep(0.2)
        time.sleep(6)  # one more backoff: nothing may arrive twice
        seen = sorted((b["alerts"][0]["labels"]["alertname"], b["status"]) for b in receiver.bodies)
        assert seen == [("GhostExporterMissing", "firing"), ("QueueDeep", "firing"), ("QueueDeep", "resolved")], seen
        history = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]
        assert sorted((e["rule"], e["event"]) for e in history) == [("GhostExporterMissing", "fired"), ("QueueDeep", "fired"), ("QueueDeep", "resolved")]
        print(f"\nreceiver down {DOWN_SECONDS} s; {len(receiver.bodies)} notifications arrived afterwards, each once")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
