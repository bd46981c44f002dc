"""Cost and carbon end to end: a real node_exporter (Debian's package) scraped by Almanac while
stress-ng keeps a core busy, and a recorded node_exporter page with RAPL counters for a second
host. The report's utilisation and energy follow node_exporter's own counters (read by the test
too), the RAPL host's energy is the counter's and marked measured, services plus idle equal
the hosts' totals, and the page shows it in Chromium."""
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, BINARY, Server, free_port, monitoring_config, start_and_wait
from test_pages_chromium import browser  # noqa: F401  (the fixture)

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: search}
spec: {type: service, lifecycle: production, owner: team, servers: [local]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: images}
spec: {type: service, lifecycle: production, owner: team, servers: [rapl]}
"""


class RaplPage:
    """A recorded node_exporter page of a host with RAPL, its package counter advancing at 85 W."""

    def __init__(self):
        start = time.time()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                joules = 123456.0 + (time.time() - start) * 85
                body = ("# HELP node_rapl_package_joules_total Current RAPL package value in joules\n"
                        "# TYPE node_rapl_package_joules_total counter\n"
                        f'node_rapl_package_joules_total{{index="0",path="/sys/class/powercap/intel-rapl:0"}} {joules}\n').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


def idle_seconds(port):
    total, cpus = 0.0, 0
    for line in requests.get(f"http://127.0.0.1:{port}/metrics").text.splitlines():
        if line.startswith("node_cpu_seconds_total{") and 'mode="idle"' in line:
            total += float(line.rsplit(" ", 1)[1])
            cpus += 1
    return time.time(), total, cpus


def test_costs_follow_node_exporter_and_rapl(workdir, browser):  # noqa: F811
    node_port = free_port()
    node = start_and_wait(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{node_port}"], f"http://127.0.0.1:{node_port}/metrics")
    rapl = RaplPage()
    config = monitoring_config(
        workdir, f"jobs:\n  - job: node\n    targets: ['127.0.0.1:{node_port}']\n    interval: 1s\n"
        f"  - job: rapl\n    targets: ['127.0.0.1:{rapl.port}']\n    interval: 1s\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "capacity").mkdir()
    (config / "capacity" / "costs.yaml").write_text(
        "currency: EUR\nhosts:\n"
        "  - {name: local, vcpus: 2, memory_gb: 8, location: FR, pue: 1.2, fixed: {monthly: 73}, node: '{job=\"node\"}'}\n"
        "  - {name: rapl, vcpus: 4, memory_gb: 16, location: DE, pue: 1.1, donated: {value: 8760, lifespan_years: 1}, node: '{job=\"rapl\"}'}\n")
    stress = subprocess.Popen(["stress-ng", "--cpu", "1", "--timeout", "60s"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(config, workdir / "data").start()
    try:
        time.sleep(2)
        first = idle_seconds(node_port)
        time.sleep(15)
        last = idle_seconds(node_port)
        report = requests.get(server.url + "/api/v1/costs", headers=ADMIN).json()
        busy = 1 - (last[1] - first[1]) / ((last[0] - first[0]) * last[2])
        local = next(h for h in report["hosts"] if h["host"] == "local")
        assert abs(local["utilization"] - busy) < 0.15, (local, busy)
        hours = report["hours"]
        watts = 0.74 + local["utilization"] * (3.5 - 0.74)
        expected = (watts * 2 * hours / 1000 + 8 * hours * 0.000392) * 1.2
        # The rest is the network (node_network_transmit_bytes_total at 0.001 kWh per GB): a sliver.
        assert 0 <= local["kilowatt_hours"] - expected < 1e-3 * expected and not local["measured"], (local, expected)
        measured = next(h for h in report["hosts"] if h["host"] == "rapl")
        assert measured["measured"], measured
        assert abs(measured["kilowatt_hours"] - 85 * hours / 1000 * 1.1) < 0.05 * 85 * hours / 1000 * 1.1, measured
        total = sum(h["cost"] for h in report["hosts"])
        assert abs(sum(s["cost"] for s in report["services"]) + sum(h["idle"] for h in report["hosts"]) - total) < 1e-6

        cli = subprocess.run([str(BINARY), "report", "costs", "--config", str(config), "--data", str(workdir / "data"), "--format", "markdown"],
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0 and cli.stdout.startswith("# Cost and carbon") and "| local |" in cli.stdout, cli.stdout + cli.stderr
        assert "measured (RAPL)" in cli.stdout

        browser.get(server.url + "/costs")
        bars = browser.find_elements(By.CSS_SELECTOR, "figure.costs svg rect.bar")
        assert "idle (not spread)" in {b.get_attribute("data-label") for b in bars}
        # Neither service reports its own usage here: each is a gap on the chart, not a zero bar.
        assert len(browser.find_elements(By.CSS_SELECTOR, "figure.costs svg text.gap")) == 2
        assert len(browser.find_elements(By.CSS_SELECTOR, "figure.carbon svg rect.bar")) == 2
        assert "local" in browser.find_element(By.ID, "hosts").text and "measured (RAPL)" in browser.find_element(By.ID, "hosts").text
    finally:
        server.stop()
        node.terminate()
        stress.terminate()
