"""Flag changes pushed to clients (OFREP ADR-0008): the bulk evaluation names a server-sent
events stream; a kill switch made through the API reaches a subscriber within 1 s (p99 over
100 changes) while another subscriber has stopped reading, and that one is dropped once its
small send buffer is full and a write has waited 5 s; the event's etag leads to the new
evaluation; a client that reconnects with an old Last-Event-ID hears of the change at once;
1,000 idle subscribers cost the server under 50 MB; the server stops promptly with streams open."""
import json
import resource
import socket
import threading
import time

import requests

from conftest import ADMIN, CLIENT_KEY, Server, wait_until

FLAGS = "flags:\n  banner:\n    state: ENABLED\n    variants: {on: true, off: false}\n    defaultVariant: on\n"
CLIENT = {"Authorization": f"Bearer {CLIENT_KEY}"}


class Subscriber:
    """An SSE client on its own thread: every event's id and data with the moment it arrived."""

    def __init__(self, url, headers=None):
        self.events, self.connected = [], threading.Event()
        self.response = requests.get(url, headers={**CLIENT, **(headers or {})}, stream=True, timeout=(5, 60))
        assert self.response.status_code == 200 and self.response.headers["content-type"] == "text/event-stream"
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        event = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line == "" and event:
                    self.events.append((time.monotonic(), event))
                    event = {}
        except (requests.RequestException, AttributeError):
            pass

    def close(self):
        self.response.close()


def raw_subscriber(port, receive_buffer=None):
    """A socket that asks for the stream; with `receive_buffer` it never reads again."""
    s = socket.socket()
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /ofrep/v1/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {CLIENT_KEY}\r\n\r\n".encode())
    return s


def streams(server):
    metrics = requests.get(server.url + "/metrics", headers=ADMIN, timeout=10).text
    return int(next(line.split()[1] for line in metrics.splitlines() if line.startswith("almanac_flag_change_streams ")))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_kill_switches_reach_subscribers_within_a_second(workdir):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))  # the server inherits it: 1,000 streams
    (workdir / "config" / "flags").mkdir(parents=True)
    (workdir / "config" / "flags" / "site.yaml").write_text(FLAGS)
    server = Server(workdir / "config", workdir / "data").start()
    try:
        bulk = requests.post(server.url + "/ofrep/v1/evaluate/flags", json={"context": {"targetingKey": "u"}}, headers=CLIENT).json()
        (connection,) = bulk["refreshConnections"]
        assert connection == {"type": "sse", "url": server.url + "/ofrep/v1/changes"}, connection
        subscriber = Subscriber(connection["url"])
        assert subscriber.connected.wait(5)
        stuck = raw_subscriber(server.port, receive_buffer=1024)

        latencies = []
        for n in range(100):
            state = "DISABLED" if n % 2 == 0 else "ENABLED"
            sent = time.monotonic()
            answer = server.admin("PUT", "/api/v1/flags/banner/state", state=state, comment=f"push {n}")
            assert answer.status_code == 200, answer.text
            assert wait_until(lambda: len(subscriber.events) > n, seconds=5), f"change {n} never arrived"
            latencies.append(subscriber.events[n][0] - sent)
        latencies.sort()
        print(f"\nkill switch to subscriber: p50 {latencies[49] * 1000:.1f} ms, p99 {latencies[98] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
        assert latencies[98] < 1.0, latencies[-5:]

        # The subscriber that never reads: its send buffer fills, a write waits 5 s, the server ends its stream.
        assert streams(server) == 2
        for n in range(300):
            assert server.admin("PUT", "/api/v1/flags/banner/state", state="DISABLED" if n % 2 == 0 else "ENABLED", comment="fill").ok
        assert wait_until(lambda: streams(server) == 1, seconds=20), "the stuck stream ended"
        stuck.settimeout(10)
        while chunk := stuck.recv(65536):
            pass
        assert wait_until(lambda: len(subscriber.events) > 300, seconds=5), "the reader kept hearing the changes"

        # The event says what to fetch: its etag, then the new evaluation (banner is on again after 400 changes).
        _, last = subscriber.events[-1]
        assert last["data"]["type"] == "refetchEvaluation" and last["data"]["etag"] == f'"g{last["id"]}"'
        again = requests.post(server.url + "/ofrep/v1/evaluate/flags", params={"sseEtag": last["data"]["etag"]},
                              json={"context": {"targetingKey": "u"}}, headers=CLIENT).json()
        assert next(f for f in again["flags"] if f["key"] == "banner")["value"] is True

        # A client that comes back with an older Last-Event-ID hears of what it missed at once.
        late = Subscriber(connection["url"], headers={"Last-Event-ID": str(last["id"] - 3)})
        assert wait_until(lambda: late.events, seconds=2) and late.events[0][1]["id"] == last["id"]

        # 1,000 idle subscribers cost the server little memory.
        before = rss_kib(server.process.pid)
        idle = [raw_subscriber(server.port) for _ in range(1000)]
        for s in idle:
            s.settimeout(10)
            assert b"200 OK" in s.recv(4096)
        grown = (rss_kib(server.process.pid) - before) / 1024
        print(f"1,000 idle subscribers: +{grown:.1f} MB")
        assert grown < 50, grown
        for s in idle + [stuck]:
            s.close()
        # Two streams stay open: the server must still stop promptly.
    finally:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 10, "open streams end with the server"
