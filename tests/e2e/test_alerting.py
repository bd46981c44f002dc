"""Alerts end to end with real peers: Almanac scrapes a small exporter, its rules fire and resolve,
notifications reach a real Alertmanager (Debian's package) and a webhook receiver that was down
for two minutes gets every one of them afterwards, once."""
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from conftest import ADMIN, FastClock, Server, WebhookReceiver, free_port, monitoring_config, start_and_wait, wait_until

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


def alerting_config(workdir, exporter, receivers):
    return monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{exporter.port}']\n    interval: 1s\n    timeout: 900ms\n",
        rules="rules:\n"
        "  - alert: QueueDeep\n    service: orders\n    series: demo_queue_depth{queue=\"orders\"}\n    above: {warning: 10, critical: 40}\n"
        "  - alert: GhostExporterMissing\n    series: up{job=\"ghost\"}\n    absent: 1m\n",
        notifications="receivers:\n" + receivers)


def test_alerts_reach_alertmanager(alertmanager, workdir):
    """On the wall clock: Alertmanager reads the alerts' start and end times as its own."""
    exporter = Exporter()
    config = alerting_config(workdir, exporter, f"  - name: am\n    alertmanager: {alertmanager}\n")
    server = Server(config, workdir / "data", args=["--rule-interval", "1", "--notification-backoff", "5"]).start()
    try:
        def in_alertmanager():
            return {a["labels"]["alertname"] for a in requests.get(alertmanager + "/api/v2/alerts").json()}

        def active():
            return {a["labels"]["alertname"] for a in requests.get(alertmanager + "/api/v2/alerts", params={"active": "true"}).json()
                    if a["status"]["state"] == "active"}

        assert wait_until(lambda: "GhostExporterMissing" in in_alertmanager()), in_alertmanager()
        exporter.value = 50  # QueueDeep fires, critical
        assert wait_until(lambda: in_alertmanager() == {"QueueDeep", "GhostExporterMissing"}), in_alertmanager()
        am_queue = [a for a in requests.get(alertmanager + "/api/v2/alerts").json() if a["labels"]["alertname"] == "QueueDeep"][0]
        assert am_queue["labels"]["severity"] == "critical" and am_queue["labels"]["service"] == "orders"
        exporter.value = 1  # QueueDeep resolves
        assert wait_until(lambda: active() == {"GhostExporterMissing"}), active()
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()


def test_a_receiver_that_was_down_gets_every_notification_once(workdir):
    """The server runs on the test-mode clock, ten times faster than the wall clock: the
    receiver's two minutes down take twelve seconds."""
    exporter = Exporter()
    receiver_port = free_port()
    config = alerting_config(workdir, exporter, f"  - name: ops\n    webhook: http://127.0.0.1:{receiver_port}/hook\n")
    clock = FastClock(10)
    server = Server(config, workdir / "data", args=["--rule-interval", "1", "--notification-backoff", "5"] + clock.args(),
                    extra_env={"ALMANAC_TEST_MODE": "1"}).start()
    started = clock()

    def history():
        return sorted((e["rule"], e["event"]) for e in requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"])

    try:
        assert wait_until(lambda: ("GhostExporterMissing", "fired") in history()), history()
        exporter.value = 50  # QueueDeep fires, critical
        assert wait_until(lambda: ("QueueDeep", "fired") in history()), history()
        exporter.value = 1  # QueueDeep resolves
        assert wait_until(lambda: ("QueueDeep", "resolved") in history()), history()

        clock.wait(max(0, DOWN_SECONDS - (clock() - started)))
        receiver = WebhookReceiver(receiver_port)
        deadline = clock() + 30
        while clock() < deadline and len(receiver.bodies) < 3:
            clock.wait(0.2)
        clock.wait(6)  # one more backoff: nothing may arrive twice
        seen = sorted((b["alerts"][0]["labels"]["alertname"], b["status"]) for b in receiver.bodies)
        assert seen == [("GhostExporterMissing", "firing"), ("QueueDeep", "firing"), ("QueueDeep", "resolved")], seen
        assert history() == [("GhostExporterMissing", "fired"), ("QueueDeep", "fired"), ("QueueDeep", "resolved")]
        print(f"\nreceiver down {DOWN_SECONDS} s; {len(receiver.bodies)} notifications arrived afterwards, each once")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
