"""Load tests end to end against real programs: Debian's nginx (thresholds that pass and fail,
the cost per request from process-exporter's counters checked against /proc, a saturation
search), servers that are down, speak no TLS or hang up, bad files, an alert that stops a
run, and the pages in Chromium with a regression between two revisions of a real app."""
import json
import os
import re
import socket
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, BINARY, Server, free_port, monitoring_config, start_and_wait
from test_alerting import Exporter
from test_pages_chromium import browser  # noqa: F401  (the fixture)


def load(config, data, *args):
    return subprocess.run([str(BINARY), "load", *args, "--config", str(config), "--data", str(data)], capture_output=True, text=True, timeout=300)


@pytest.fixture
def nginx(workdir):
    port = free_port()
    (workdir / "nginx").mkdir()
    (workdir / "nginx" / "nginx.conf").write_text(
        f"worker_processes 1; daemon on; pid {workdir}/nginx/nginx.pid; error_log {workdir}/nginx/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log off; server {{ listen 127.0.0.1:{port}; location / {{ return 200 'hello'; }} }} }}\n")
    subprocess.run(["nginx", "-c", str(workdir / "nginx" / "nginx.conf"), "-p", str(workdir / "nginx")], check=True)
    yield port
    subprocess.run(["kill", (workdir / "nginx" / "nginx.pid").read_text().strip()])


def nginx_cpu_ticks():
    """utime + stime of every nginx process, in clock ticks, read from /proc as process-exporter does."""
    total = 0
    for pid in os.listdir("/proc"):
        try:
            if open(f"/proc/{pid}/comm").read().strip() == "nginx":
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, NotADirectoryError, PermissionError):
            pass
    return total


def test_nginx_thresholds_cost_and_saturation(workdir, nginx):
    exporter_port = free_port()
    exporter = start_and_wait(
        ["prometheus-process-exporter", "-procnames", "nginx", "-web.listen-address", f"127.0.0.1:{exporter_port}"],
        f"http://127.0.0.1:{exporter_port}/metrics")
    config = monitoring_config(workdir, f"jobs:\n  - job: processes\n    targets: ['127.0.0.1:{exporter_port}']\n    interval: 1s\n")
    tests = config / "capacity" / "loadtests"
    tests.mkdir(parents=True)
    common = f"service: web\ntarget: http://127.0.0.1:{nginx}\nrequests: [/]\nusage: '{{groupname=\"nginx\"}}'\n"
    (tests / "web.yaml").write_text(common + "closed: {connections: 8, duration: 5s}\nthresholds: ['p99 < 500ms', 'error_rate < 1%']\n")
    (tests / "strict.yaml").write_text(common + "closed: {connections: 8, duration: 2s}\nthresholds: ['p99 < 1us', 'rps > 1']\n")
    (tests / "climb.yaml").write_text(
        common + "open: {rate: 1000, duration: 2s}\nthresholds: ['p99 < 50ms', 'error_rate < 1%']\n"
        "saturate: {start: 1000, factor: 2, step: 2s, max: 64000}\n")
    server = Server(config, workdir / "data").start()
    try:
        time.sleep(3)  # a few scrapes before the run: the idle rate and the memory it starts from
        ticks = nginx_cpu_ticks()
        run = load(config, workdir / "data", "run", "web", "--format", "json")
        ticks = nginx_cpu_ticks() - ticks
        assert run.returncode == 0, run.stderr
        record = json.loads(run.stdout)
        summary = record["summary"]
        assert record["passed"] and summary["completed"] > 1000 and summary["errors"] == 0
        assert re.search(r"^\s+\d+s\s+\d+ req/s\s+p50", run.stderr, re.M), "live progress each second"
        # Cost per request: process-exporter's counters as scraped, against /proc read directly.
        usage = record["usage"]
        direct = ticks / os.sysconf("SC_CLK_TCK") * 1000 / summary["completed"]
        assert usage["cpu_series"] and usage["memory_peak_bytes"] > 1_000_000
        assert direct / 1.6 <= usage["cpu_milliseconds_per_request"] <= direct * 1.6, (usage, direct)
        print(f"cost per request: almanac {usage['cpu_milliseconds_per_request']:.4f} ms CPU, /proc {direct:.4f} ms")

        failing = load(config, workdir / "data", "run", "strict")
        assert failing.returncode == 1
        assert "Threshold failed: p99 < 1us" in failing.stdout and "rps > 1" not in failing.stdout.split("Threshold failed:")[1]

        climb = load(config, workdir / "data", "saturate", "climb", "--format", "json")
        assert climb.returncode == 0, climb.stderr
        result = json.loads(climb.stdout)
        assert result["sustainable_rate"] >= 4000 and not result["steps"][-1]["passed"], result["steps"]
        assert "req/s asked" in climb.stderr

        runs = requests.get(server.url + "/api/v1/loadtests/web/runs", headers=ADMIN).json()["runs"]
        assert [r["outcome"] for r in runs] == ["passed"]
        stored = requests.get(server.url + f"/api/v1/loadruns/{runs[0]['id']}", headers=ADMIN).json()
        assert stored["summary"]["completed"] == summary["completed"] and len(stored["intervals"]) >= 4 and stored["histogram"]
    finally:
        server.stop()
        exporter.terminate()


class Closer:
    """Accepts connections and closes them without a word."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            connection, _ = self.socket.accept()
            connection.recv(1024)
            connection.close()


def test_bad_targets_and_bad_files(workdir, nginx):
    config = workdir / "config"
    tests = config / "capacity" / "loadtests"
    tests.mkdir(parents=True)
    closer = Closer()
    open_model = "open: {rate: 200, duration: 2s}\n"
    (tests / "down.yaml").write_text(f"service: web\ntarget: http://127.0.0.1:{free_port()}\nrequests: [/]\n" + open_model)
    (tests / "tls.yaml").write_text(f"service: web\ntarget: https://127.0.0.1:{nginx}\nrequests: [/]\n" + open_model)
    (tests / "closer.yaml").write_text(f"service: web\ntarget: http://127.0.0.1:{closer.port}\nrequests: [/]\n" + open_model)
    (tests / "search.yaml").write_text(
        f"service: web\ntarget: http://127.0.0.1:{nginx}\ndata: terms.csv\nrequests:\n  - url: /search?q={{{{term}}}}&page={{{{page}}}}\n" + open_model)
    (tests / "terms.csv").write_text("term,page\nsoup,1\nbread\n")
    data = workdir / "data"

    down = load(config, data, "run", "down")
    assert down.returncode == 1
    assert f"Stopped early, results are partial: no response from http://127.0.0.1:" in down.stdout, down.stdout
    assert "connection refused" in down.stdout.lower()

    tls = load(config, data, "run", "tls")
    assert tls.returncode == 1 and "results are partial: no response from https://127.0.0.1" in tls.stdout and "TLS" in tls.stdout, tls.stdout

    closed = load(config, data, "run", "closer")
    assert closed.returncode == 1
    assert "connection closed by the server before the response" in closed.stdout, closed.stdout

    csv = load(config, data, "run", "search")
    assert csv.returncode == 1 and "capacity/loadtests/terms.csv:3: 1 fields, missing column 'page'" in csv.stderr, csv.stderr

    (tests / "broken.yaml").write_text("service: web\ntarget: http://127.0.0.1:1\nrequests: [/]\n" + open_model + "thresholds: ['p99 under 2ms']\n")
    broken = load(config, data, "run", "down")
    assert broken.returncode == 1
    assert "capacity/loadtests/broken.yaml:5: thresholds[0]: 'p99 under 2ms' has no comparison" in broken.stderr, broken.stderr

    # Every run that started is stored, the partial ones marked; the ones refused before starting are not.
    with sqlite3.connect(data / "almanac.sqlite") as database:
        stored = database.execute("SELECT test, outcome FROM load_runs ORDER BY id").fetchall()
    assert stored == [("down", "partial"), ("tls", "partial"), ("closer", "partial")]


def test_pages_with_their_assets_as_a_browser_loads_them(workdir):
    """`assets: true` fetches each page's stylesheets, scripts and images from nginx after the
    page: a missing one fails the page and is named; links that load nothing are not fetched."""
    port, site = free_port(), workdir / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "app.css").write_text("body{}")
    (site / "assets" / "logo.png").write_bytes(b"\x89PNG" * 100)
    page = ('<html><head><link rel="canonical" href="/elsewhere"><link rel=stylesheet href=/assets/app.css>'
            '<script src="https://cdn.example/x.js"></script><SCRIPT defer SRC=\'/assets/missing.js\'></SCRIPT></head>'
            '<body><a href="/next">next</a><img alt="logo" src="/assets/logo.png">' + "x" * 20000 + "</body></html>")
    (site / "index.html").write_text(page)
    (site / "plain.html").write_text('<link rel="stylesheet" href="/assets/app.css">')
    (workdir / "nginx.conf").write_text(
        f"worker_processes 1; daemon on; pid {workdir}/nginx.pid; error_log {workdir}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ access_log {workdir}/access.log; gzip off; server {{ listen 127.0.0.1:{port}; root {site};\n"
        # A chunked page too: nginx streams a sub-request's answer without a length.
        f"  location = /chunked {{ default_type text/html; ssi on; alias {site}/index.html; }} }} }}\n")
    site.chmod(0o755)
    workdir.chmod(0o755)
    subprocess.run(["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], check=True)
    config = workdir / "config"
    tests = config / "capacity" / "loadtests"
    tests.mkdir(parents=True)
    (tests / "shop.yaml").write_text(
        f"service: web\ntarget: http://127.0.0.1:{port}\nrequests:\n  - {{url: /, assets: true}}\n  - {{url: /chunked, assets: true}}\n"
        "  - /plain.html\nopen: {rate: 150, duration: 2s}\n")
    bad_tests = workdir / "bad" / "capacity" / "loadtests"
    bad_tests.mkdir(parents=True)
    (bad_tests / "bad.yaml").write_text(
        f"service: web\ntarget: http://127.0.0.1:{port}\nrequests:\n  - {{url: /, method: POST, assets: true}}\nopen: {{rate: 1, duration: 1s}}\n")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/chunked").headers.get("Transfer-Encoding") == "chunked"
        run = load(config, workdir / "data", "run", "shop", "--format", "json")
        assert run.stdout.startswith("{"), run.stderr
        summary = json.loads(run.stdout)["summary"]
        pages = summary["completed"]
        assert pages == 300 and summary["failures"] == [], summary
        # Two of every three requests are pages with three local assets each; plain.html fetches none.
        assert summary["assets"] == 200 * 3, summary
        assert summary["missing_assets"] == [{"what": "/assets/missing.js: 404", "count": 200}], summary
        assert {s["what"]: s["count"] for s in summary["statuses"]} == {"200": 100, "404": 200}
        fetched = (workdir / "access.log").read_text()
        assert fetched.count("GET /assets/logo.png ") == 200 and "/elsewhere" not in fetched and "/next" not in fetched
        text = load(config, workdir / "data", "run", "shop")
        assert "Assets that failed" in text.stdout and "200 /assets/missing.js: 404" in text.stdout, text.stdout

        bad = load(workdir / "bad", workdir / "data", "run", "bad")
        assert bad.returncode == 1
        assert "capacity/loadtests/bad.yaml:4: requests[0].assets: only a GET request's page has assets to fetch" in bad.stderr, bad.stderr
    finally:
        subprocess.run(["kill", (workdir / "nginx.pid").read_text().strip()])


class App:
    """An application host: `/health` answers its revision (as the pipeline's health check
    reads it), `/` answers after the revision's delay."""

    def __init__(self):
        self.revision, self.delay = "a" * 40, 0.0
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path != "/health":
                    time.sleep(app.delay)
                body = (app.revision if self.path == "/health" else "ok").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


def test_pages_show_a_run_and_a_regression_across_revisions(workdir, browser):  # noqa: F811
    app = App()
    host = f"127.0.0.1:{app.port}"
    gauge = Exporter(series='demo_load{service="shop"}', value=1)
    config = monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{gauge.port}']\n    interval: 1s\n",
        rules="rules:\n  - alert: ShopOverloaded\n    service: shop\n    series: demo_load{service=\"shop\"}\n    above: {critical: 10}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(
        f"repository: {workdir}/app.git\ncommands:\n  deploy: 'true'\n  health: http://{{host}}/health\n"
        f"environments:\n  - {{name: production, hosts: ['{host}']}}\n")
    tests = config / "capacity" / "loadtests"
    tests.mkdir(parents=True)
    (tests / "shop.yaml").write_text(
        f"service: shop\ntarget: http://{host}\nrequests: [/]\nopen: {{rate: 40, duration: 3s}}\nthresholds: ['p99 < 2s']\n")
    server = Server(config, workdir / "data", args=["--drift-interval", "1", "--rule-interval", "1"]).start()
    try:
        def run_on(revision, delay):
            app.revision, app.delay = revision, delay
            deadline = time.time() + 20
            while time.time() < deadline:  # the drift check has seen the host's revision
                drift = requests.get(server.url + "/api/v1/drift", headers=ADMIN).json()
                if revision in json.dumps(drift):
                    break
                time.sleep(0.3)
            result = load(config, workdir / "data", "run", "shop", "--format", "json")
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout)

        first = run_on("a" * 40, 0.0)
        assert first["revision"] == "a" * 40 and first["revisions"] == [{"host": host, "revision": "a" * 40}]
        run_on("b" * 40, 0.05)
        browser.get(server.url + "/capacity/loadtests/shop")
        regression = browser.find_element(By.CLASS_NAME, "regression").text
        assert re.fullmatch(r"bbbbbbb: p99 \+\d+% since aaaaaaa", regression), regression
        chart = browser.find_element(By.CSS_SELECTOR, "figure.comparison svg")
        assert "aaaaaaa" in chart.get_attribute("innerHTML") and "bbbbbbb" in chart.get_attribute("innerHTML")
        browser.find_element(By.CSS_SELECTOR, "#runs a").click()
        time.sleep(0.5)
        lines = browser.find_elements(By.CSS_SELECTOR, "figure.latency svg polyline")
        assert [line.get_attribute("data-name") for line in lines] == ["p50", "p90", "p99", "max"]
        assert all(len(line.get_attribute("points").split()) >= 3 for line in lines)
        assert "p99.9" in browser.find_element(By.ID, "spectrum").text

        # --abort-on-alert: the service's alert fires, the run stops within seconds, partial.
        gauge.value = 50
        deadline = time.time() + 20
        while time.time() < deadline and "ShopOverloaded" not in json.dumps(requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()):
            time.sleep(0.3)
        started = time.time()
        stopped = load(config, workdir / "data", "run", "shop", "--duration", "60s", "--abort-on-alert")
        assert stopped.returncode == 1 and time.time() - started < 15
        assert "Stopped early, results are partial: alert ShopOverloaded fired for shop" in stopped.stdout, stopped.stdout
        runs = requests.get(server.url + "/api/v1/loadtests/shop/runs", headers=ADMIN).json()["runs"]
        assert runs[0]["outcome"] == "partial"
    finally:
        server.stop()
