"""Crash safety and reloads of the real binary: kill -9 during a burst of admin writes loses
no acknowledged write; SIGHUP reloads the files; a bad edit keeps the last good set serving."""
import json
import shutil
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from conftest import ADMIN, ADMIN_TOKEN, EXAMPLE, Server, monitoring_config, wait_until


def test_kill9_during_admin_writes_loses_no_acknowledged_write(backend, workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data", backend).start()
    acknowledged, lock, stop = {}, threading.Lock(), threading.Event()

    def writer(worker):
        session = requests.Session()
        i = 0
        while not stop.is_set():
            subject, variant = f"user:w{worker}-{i}", ("on" if i % 2 else "off")
            try:
                reply = session.put(f"{server.url}/api/v1/flags/new-product-page/pins", json={"subject": subject, "variant": variant},
                                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=5)
            except requests.RequestException:
                return
            if reply.status_code == 200:
                with lock:
                    acknowledged[subject] = variant
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.time() + 20
    while len(acknowledged) < 150 and time.time() < deadline:
        time.sleep(0.01)
    server.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) >= 150, "too few writes before the kill to prove anything"

    server.start()
    try:
        audit = server.admin("GET", "/api/v1/audit").json()["entries"]
        pinned = {entry["subject"] for entry in audit if entry["action"] == "pin"}
        missing = set(acknowledged) - pinned
        assert not missing, f"{len(missing)} acknowledged writes are not in the audit log"
        session = requests.Session()
        for subject, variant in acknowledged.items():
            reply = session.post(f"{server.url}/ofrep/v1/evaluate/flags/new-product-page", json={"context": {"targetingKey": subject[5:]}},
                                 headers={"X-API-Key": "e2e-client-key"}).json()
            assert reply["variant"] == variant, subject
        print(f"\n{len(acknowledged)} acknowledged writes, all present after kill -9")
    finally:
        server.stop()


def test_sighup_reloads_and_a_bad_edit_keeps_the_last_good_set(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data", args=["--reload-interval", "0"]).start()
    try:
        web = config / "flags" / "web.yaml"
        good = web.read_text()
        assert server.evaluate("search-suggestions").json()["value"] is True
        web.write_text(good.replace("    variants: {on: true, off: false}\n    defaultVariant: on\n", "    variants: {on: true, off: false}\n    defaultVariant: onn\n", 1))
        server.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "unknown variant 'onn'" in server.log.read_text()), "the reload reports the bad edit"
        assert server.evaluate("search-suggestions").json()["value"] is True, "the last good set must keep serving"
        assert "flags/web.yaml:" in server.log.read_text() and "unknown variant 'onn'" in server.log.read_text()
        page = requests.get(server.url + "/flags", headers=ADMIN).text
        assert "unknown variant" in page
        web.write_text(good.replace("    variants: {on: true, off: false}\n    defaultVariant: on\n", "    variants: {on: true, off: false}\n    defaultVariant: off\n", 1))
        assert server.evaluate("search-suggestions").json()["value"] is True, "no reload without SIGHUP"
        server.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: server.evaluate("search-suggestions").json()["value"] is False), "the good edit is served after SIGHUP"
    finally:
        server.stop()


def test_kill9_during_a_burst_of_scrapes_keeps_every_sample_the_log_acknowledged(backend, workdir):
    """Scrapes every 50 ms of a counter that counts its own scrapes; after kill -9 and a restart
    every value served is stored except at most the one scrape in flight."""
    served = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.append(len(served) + 1)
            body = f"# TYPE burst_scrapes counter\nburst_scrapes_total {served[-1]}\n".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    exporter = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    config = monitoring_config(
        workdir, f"jobs:\n  - job: burst\n    targets: ['127.0.0.1:{exporter.server_address[1]}']\n    interval: 50ms\n    timeout: 40ms\n")
    server = Server(config, workdir / "data", backend).start()
    assert wait_until(lambda: len(served) >= 60, 20), f"a burst: {len(served)} scrapes"
    server.stop(signal.SIGKILL)
    count = len(served)
    exporter.shutdown()
    assert count > 40, f"a burst: {count} scrapes"
    server.start()
    try:
        def values(name):
            series = requests.get(server.url + "/api/v1/series", params={"name": name}, headers=ADMIN, timeout=10).json()["series"]
            since = int(time.time() * 1000) - 3_600_000
            return [value for one in series if one["labels"].get("job") == "burst"
                    for _, value in requests.get(f"{server.url}/api/v1/series/{one['id']}/samples", params={"from": since}, headers=ADMIN,
                                                 timeout=10).json()["samples"]]

        stored = sorted(int(value) for value in values("burst_scrapes_total"))
        missing = sorted(set(range(1, count + 1)) - set(stored))
        # A scrape past its 40 ms timeout (the machine busy with other tests) was counted by the
        # exporter but never acknowledged: Almanac records it as up 0 and keeps no value. Each
        # such failure explains one missing value; anything else missing, but for the one scrape
        # in flight at the kill, is a lost acknowledged sample.
        failed = sum(1 for value in values("up") if float(value) == 0)
        assert failed <= len(missing) <= failed + 1 and (len(missing) == failed or count in missing), (
            f"{count} served, missing {missing}, {failed} scrapes failed ({json.dumps(stored[-5:])} last stored)")
        assert len(stored) == len(set(stored)), "no sample twice"
        print(f"\nkill -9 after {count} scrapes: {len(stored)} stored, missing {missing}")
    finally:
        server.stop()
