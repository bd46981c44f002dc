"""A host of the example's pipeline: answers every request with the revision it was deployed at
(body and X-Revision), and exits with the Almanac server that started it (ALMANAC_PID) or once
the example's state folder is gone."""
import http.server
import os
import sys
import threading
import time

port, revision, state = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def metrics():
    """The process's CPU and memory, as every Prometheus client library exports them."""
    times = os.times()
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return (f"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {times.user + times.system}\n"
            f"# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {resident}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/metrics":
            body = metrics().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path != "/health" and os.path.exists(os.path.join(state, "maintenance")):
            # A database patch's window: clients are told to come back rather than failed.
            body = b"down for maintenance\n"
            self.send_response(503)
            self.send_header("Retry-After", "10")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = f"product-opener {revision}\n".encode()
        self.send_response(200 if self.path in ("/", "/health") else 404)
        self.send_header("X-Revision", revision)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def alive(pid):
    """Whether the process runs: a killed server its parent has not reaped yet is a zombie, and
    kill(pid, 0) still finds it, so its state in /proc decides."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def leave_with_the_example():
    owner = int(os.environ.get("ALMANAC_PID", "0"))
    while os.path.isdir(state) and (owner == 0 or alive(owner)):
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=leave_with_the_example, daemon=True).start()
for _ in range(100):  # the host it replaces may take a moment to let the port go
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(f"port {port} stays busy")
server.serve_forever()
