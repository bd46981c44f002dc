"""Starts the real `almanac` binary on loopback for end-to-end tests, on SQLite or PostgreSQL."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("ALMANAC_BIN", ROOT / ".build" / "debug" / "almanac"))
EXAMPLE = ROOT / "examples" / "openfoodfacts"
ADMIN_TOKEN = "e2e-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CLIENT_KEY = "e2e-client-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count):
    """`count` distinct free ports: each socket stays bound until all are picked, since one
    closed at once may be handed out again (a rollout test once got the same port twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Server:
    """One `almanac serve` process; restartable on the same config and data."""

    def __init__(self, config, data, database=None, extra_env=None, args=(), port=None):
        self.config, self.data, self.database = str(config), str(data), database
        self.extra_env, self.args = extra_env or {}, list(args)
        self.process = None
        self.fixed_port, self.port = port, None
        self.log = Path(self.data) / "server.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = self.fixed_port or free_port()
        env = dict(os.environ, ALMANAC_ADMIN_TOKEN=ADMIN_TOKEN, ALMANAC_CLIENT_KEYS=f"e2e:{CLIENT_KEY}", **self.extra_env)
        command = [str(BINARY), "serve", "--config", self.config, "--data", self.data, "--port", str(self.port)] + self.args
        if self.database:
            command += ["--database", self.database]
        Path(self.data).mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(command, env=env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"almanac exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("almanac did not become ready:\n" + self.log.read_text())

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"almanac did not stop within 30 s of signal {sig}:\n{self.log.read_text()[-4000:]}")

    def admin(self, method, path, **body):
        return requests.request(method, self.url + path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)

    def evaluate(self, key, context=None, key_header=True):
        headers = {"X-API-Key": CLIENT_KEY} if key_header else {}
        return requests.post(f"{self.url}/ofrep/v1/evaluate/flags/{key}", json={"context": context or {}}, headers=headers, timeout=10)


class WebhookReceiver:
    """A real HTTP webhook receiver: every JSON body it is sent, with the moment it arrived.
    `port` 0 picks a free one; a fixed port lets a test start it late (a receiver that was down)."""

    def __init__(self, port=0):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.received.append((time.time(), json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def bodies(self):
        return [body for _, body in self.received]

    def alerts(self):
        """Each alert of the Alertmanager-format notifications, with when its message arrived."""
        return [(at, alert) for at, body in self.received for alert in body.get("alerts", [])]


class FastClock:
    """The test-mode clock the server runs on (`--clock-speed`, `--clock-start`): it reads the
    wall clock's time at `start` and runs `speed` times faster, so the application's counters,
    the burst and the server all keep one time, and minutes of burn-rate windows take seconds."""

    def __init__(self, speed):
        self.speed, self.start = speed, time.time()

    def __call__(self):
        return self.start + (time.time() - self.start) * self.speed

    def at(self, wall):
        return self.start + (wall - self.start) * self.speed

    def args(self):
        return ["--clock-speed", str(self.speed), "--clock-start", repr(self.start)]

    def wait(self, seconds):
        """Lets `seconds` of the clock's time pass (a 5-minute window passes in a minute)."""
        time.sleep(seconds / self.speed)


def start_and_wait(command, ready_url, seconds=30):
    """Starts a peer program and waits until `ready_url` answers 200."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(ready_url, timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"{command[0]} did not become ready at {ready_url}")


def monitoring_config(workdir, targets, rules=None, notifications=None):
    """A config repository with no flags and the given monitoring files (YAML text)."""
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "monitoring" / "rules").mkdir(parents=True)
    (config / "monitoring" / "targets.yaml").write_text(targets)
    if rules:
        (config / "monitoring" / "rules" / "rules.yaml").write_text(rules)
    if notifications:
        (config / "monitoring" / "notifications.yaml").write_text(notifications)
    return config


def postgres_database():
    """A fresh database on the test PostgreSQL server; without the server the test fails, never skips."""
    url = os.environ.get("ALMANAC_TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError("ALMANAC_TEST_POSTGRES_URL is not set: the README's test command starts PostgreSQL")
    name = "almanac_e2e_" + uuid.uuid4().hex[:12]
    admin = url.split("?")[0]
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def migra(source, target):
    """The statements migra (PyPI, the reference schema diff) says turn `source`'s public schema
    into `target`'s; empty when they are the same."""
    def url(u):
        return "postgresql+psycopg2://" + u.replace("tlsmode", "sslmode").split("://", 1)[1]
    # The test command installs migra into the virtual environment that runs the tests.
    program = Path(sys.executable).parent / "migra"
    diff = subprocess.run([str(program), "--unsafe", "--schema", "public", url(source), url(target)], capture_output=True, text=True)
    assert diff.returncode in (0, 2), diff.stderr
    return [" ".join(s.split()) for s in diff.stdout.split(";") if s.strip()]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    if request.param == "sqlite":
        return None
    return postgres_database()


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="almanac-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def example_server(backend, workdir):
    """The bundled example repository, served with client keys required."""
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data", backend).start()
    yield server
    server.stop()


def wait_until(condition, seconds=20, step=0.1):
    """Polls `condition` until it gives something true or `seconds` pass; returns its last answer."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


_FILE_SECONDS = {}


def pytest_runtest_logreport(report):
    """Adds each test's setup, call and teardown time to its file (with xdist too: reports reach here)."""
    path = report.nodeid.split("::", 1)[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """The time each file took, slowest first, so a run shows where its minutes went."""
    if not _FILE_SECONDS:
        return
    terminalreporter.section("seconds per file")
    for path, seconds in sorted(_FILE_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {path}")
    terminalreporter.write_line(f"{sum(_FILE_SECONDS.values()):8.1f}  in all (summed; parallel runs take less)")


# Files that start the bundled example share its pipeline's fixed host ports (18401-18414), so
# they run one after another in one worker when the suite runs in parallel (scripts/test).
EXAMPLE_FILES = {
    "test_api_contract.py", "test_catalog_pages.py", "test_cli.py", "test_durability.py", "test_example_pipeline.py", "test_first_start.py", "test_home_page.py",
    "test_json_reports.py", "test_navigation.py",
    "test_meeting.py", "test_openapi.py", "test_openfeature_sdk.py", "test_pages_chromium.py", "test_sign_in.py", "test_status_page.py",
    "test_storage_audit.py",
}


def pytest_collection_modifyitems(items):
    """Each file is one group for pytest-xdist's loadgroup (its tests share fixtures and ports);
    the files that start the example are one group together."""
    for item in items:
        name = Path(str(item.fspath)).name
        item.add_marker(pytest.mark.xdist_group("example" if name in EXAMPLE_FILES else name))
