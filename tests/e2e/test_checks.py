"""Checks end to end with real programs: an HTTP service started by the test (which the test
breaks and mends), the test PostgreSQL for an SQL check, Debian's monitoring-plugins `check_tcp`
and `check_http` through the command check, a closed port, a name resolved by the system. Soft
and hard states and flapping reach the timeline with their output, results become series, a bad
edit keeps the last good checks running, and the pages show it in Chromium."""
import os
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, Server, free_port, monitoring_config, wait_until
from test_pages_chromium import browser  # noqa: F401  (the fixture)

PLUGINS = "/usr/lib/nagios/plugins"

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: search}
spec: {type: service, lifecycle: production, owner: team}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: products-db}
spec: {type: database, owner: team}
"""


class Service:
    """/health answers 200 "ok" while healthy, 500 otherwise; /flappy alternates on each request."""

    def __init__(self):
        self.healthy = True
        self.flips = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/flappy":
                    service.flips += 1
                    code = 200 if service.flips % 2 else 503
                else:
                    code = 200 if service.healthy else 500
                body = b"ok\n" if code == 200 else b"broken\n"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]


def checks_yaml(port, closed, placeholder="host"):
    return f"""checks:
  - {{name: health, entity: search, interval: 300ms, attempts: 3, http: {{url: "http://127.0.0.1:{port}/health", body: ok}}}}
  - {{name: flappy, entity: search, interval: 100ms, attempts: 1, http: {{url: "http://127.0.0.1:{port}/flappy"}}}}
  - {{name: plugin-tcp, entity: search, interval: 500ms, host: 127.0.0.1, command: "{PLUGINS}/check_tcp -H {{{placeholder}}} -p {port}"}}
  - {{name: plugin-http, entity: search, interval: 300ms, attempts: 2, host: 127.0.0.1,
     command: ["{PLUGINS}/check_http", "-H", "{{host}}", "-p", "{port}", "-u", "/health", "-s", "ok"]}}
  - {{name: closed, entity: resource:products-db, interval: 200ms, attempts: 2, tcp: {{host: 127.0.0.1, port: {closed}}}}}
  - {{name: resolver, entity: search, interval: 1s, dns: {{name: localhost, expect: 127.0.0.1}}}}
  - {{name: rows, entity: resource:products-db, interval: 500ms,
     sql: {{url_env: ALMANAC_CHECK_DATABASE_URL, query: "select count(*) from pg_database where datname = current_database()", expect: 1}}}}
"""



def events(server, check=None):
    params = {"check": check} if check else {}
    return requests.get(server.url + "/api/v1/timeline", params=params, headers=ADMIN).json()["events"]


def state(server, name):
    return [c for c in requests.get(server.url + "/api/v1/checks", headers=ADMIN).json()["checks"] if c["name"] == name][0]


def test_checks_with_real_programs(browser, workdir):  # noqa: F811
    service = Service()
    closed = free_port()
    config = monitoring_config(workdir, "jobs: []\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "checks").mkdir()
    (config / "checks" / "search.yaml").write_text(checks_yaml(service.port, closed))
    server = Server(config, workdir / "data", extra_env={"ALMANAC_CHECK_DATABASE_URL": os.environ["ALMANAC_TEST_POSTGRES_URL"]}).start()
    try:
        assert wait_until(lambda: all(state(server, n).get("status") for n in ["health", "plugin-tcp", "plugin-http", "closed", "resolver", "rows"]))
        assert wait_until(lambda: state(server, "closed").get("state_type") == "hard")
        for name in ["health", "plugin-tcp", "plugin-http", "resolver", "rows"]:
            assert state(server, name)["status"] == "OK", (name, state(server, name)["output"])
        assert state(server, "plugin-tcp")["output"].startswith("TCP OK")
        assert "HTTP OK" in state(server, "plugin-http")["output"]
        assert "the query gave 1" in state(server, "rows")["output"]
        closed_events = [(e["event"], e["status"]) for e in reversed(events(server, "closed"))]
        assert closed_events[:2] == [("soft", "CRITICAL"), ("hard", "CRITICAL")], closed_events

        # Broken: soft for two results, hard at the third; check_http says so in its own words.
        service.healthy = False
        assert wait_until(lambda: state(server, "health").get("state_type") == "hard" and state(server, "health")["status"] == "CRITICAL")
        health = [(e["event"], e["message"]) for e in reversed(events(server, "health"))]
        assert health[:2] == [("soft", "CRITICAL SOFT (attempt 1 of 3)"), ("hard", "CRITICAL HARD")], health
        assert "500" in events(server, "health")[0]["output"]
        assert wait_until(lambda: state(server, "plugin-http").get("state_type") == "hard" and state(server, "plugin-http")["status"] == "CRITICAL")
        assert "HTTP CRITICAL" in state(server, "plugin-http")["output"]
        service.healthy = True
        assert wait_until(lambda: events(server, "health")[0]["event"] == "recovered")

        # Flapping: every result differs from the last, so the weighted change passes 20%.
        assert wait_until(lambda: any(e["event"] == "flapping started" for e in events(server, "flappy")))
        assert state(server, "flappy")["flapping"] and state(server, "flappy")["percent_state_change"] >= 20

        # Results are series: up, status, latency, and check_tcp's own perfdata.
        names = {s["name"] for s in requests.get(server.url + "/api/v1/series", headers=ADMIN).json()["series"]}
        assert {"almanac_check_up", "almanac_check_status", "almanac_check_latency_seconds", "almanac_check_perfdata"} <= names, names

        # A bad edit (an unknown placeholder) is refused with file, line and field; the last good checks keep running.
        (config / "checks" / "search.yaml").write_text(checks_yaml(service.port, closed, placeholder="hots"))
        before = state(server, "resolver")["last_checked_at"]
        browser.get(server.url + "/checks")
        assert wait_until(lambda: "unknown placeholder" in requests.get(server.url + "/checks", headers=ADMIN).text)
        assert "{hots}" in requests.get(server.url + "/checks", headers=ADMIN).text
        assert "checks/search.yaml:4" in requests.get(server.url + "/checks", headers=ADMIN).text
        assert wait_until(lambda: state(server, "resolver")["last_checked_at"] > before)

        browser.get(server.url + "/checks")
        rows = browser.find_elements(By.CSS_SELECTOR, "#checks tbody tr")
        assert len(rows) == 7 and any("closed" in r.text and "CRITICAL" in r.text for r in rows)
        browser.get(server.url + "/checks/health")
        assert "OK" in browser.find_element(By.ID, "state").text
        assert browser.find_elements(By.CSS_SELECTOR, "figure.latency svg")
        history = browser.find_element(By.ID, "timeline").text
        assert "recovered" in history and "CRITICAL HARD" in history
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "check.png"))
        browser.get(server.url + "/timeline")
        assert "flapping started" in browser.find_element(By.ID, "timeline").text
    finally:
        server.stop()


def test_a_check_of_an_unknown_entity_stops_the_start(workdir):
    config = monitoring_config(workdir, "jobs: []\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "checks").mkdir()
    (config / "checks" / "bad.yaml").write_text("checks:\n  - {name: a, entity: component:ghost, interval: 1s, tcp: {host: h, port: 1}}\n")
    try:
        Server(config, workdir / "data").start()
        raise AssertionError("the server started with a check of an unknown entity")
    except RuntimeError as error:
        assert "checks/bad.yaml:2" in str(error) and "unknown entity 'component:ghost'" in str(error), str(error)


def test_https_certificate_days_left(workdir):
    """A local HTTPS service whose certificate (made by openssl, trusted through `ca_file`) has ten
    days left: a check wanting 30 days warns with the count, one wanting 5 is OK."""
    key, cert = workdir / "key.pem", workdir / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "10",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    service = Service()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    service.server.socket = context.wrap_socket(service.server.socket, server_side=True)
    config = monitoring_config(workdir, "jobs: []\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "checks").mkdir()
    url = f"https://127.0.0.1:{service.port}/health"
    (config / "checks" / "tls.yaml").write_text(f"""checks:
  - {{name: soon, entity: search, interval: 300ms, attempts: 1, http: {{url: "{url}", certificate_days: 30, ca_file: {cert}}}}}
  - {{name: fine, entity: search, interval: 300ms, attempts: 1, http: {{url: "{url}", certificate_days: 5, ca_file: {cert}}}}}
  - {{name: untrusted, entity: search, interval: 300ms, attempts: 1, http: {{url: "{url}"}}}}
""")
    server = Server(config, workdir / "data").start()
    try:
        assert wait_until(lambda: all(state(server, n).get("status") for n in ["soon", "fine", "untrusted"]))
        soon = state(server, "soon")
        assert soon["status"] == "WARNING" and "the certificate has 9 days left, fewer than 30" in soon["output"], soon["output"]
        assert state(server, "fine")["status"] == "OK"
        untrusted = state(server, "untrusted")
        assert untrusted["status"] == "CRITICAL" and "certificate" in untrusted["output"].lower(), untrusted["output"]
        names = {s["name"] for s in requests.get(server.url + "/api/v1/series", headers=ADMIN).json()["series"]}
        assert "almanac_check_certificate_days" in names
    finally:
        server.stop()
