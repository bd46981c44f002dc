"""An application's request counters as exact functions of time, served over HTTP for scrapers and
written as OpenMetrics history for imports: RATE requests a second, of which a share are errors
and a share slower than 300 ms. Shares are piecewise constant (steps the test sets, also while
it runs) plus an optional sine wave, so every count is an integral worked in closed form and
two scrapers reading at different instants see the same curve."""
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Counters start high, as a long-running application's do: Prometheus's rate() would otherwise
# cut its extrapolation at the counter's zero point, differently for each series.
BASE = 1_000_000.0


class Share:
    """A share of requests over time: steps [(from_time, share)] plus amplitude·sin(2πt/period)."""

    def __init__(self, start, share, amplitude=0.0, period=600.0):
        self.steps = [(start, share)]
        self.amplitude, self.period = amplitude, period
        self.lock = threading.Lock()

    def set(self, at, share):
        with self.lock:
            assert at >= self.steps[-1][0], "steps go forward in time"
            self.steps.append((at, share))

    def integral(self, t):
        """∫ share(s) ds from the first step to t."""
        with self.lock:
            steps = list(self.steps)
        total = 0.0
        for (at, share), following in zip(steps, steps[1:] + [(math.inf, 0)]):
            if t <= at:
                break
            total += share * (min(t, following[0]) - at)
        start = steps[0][0]
        w = 2 * math.pi / self.period
        return total + self.amplitude * (math.cos(w * start) - math.cos(w * t)) / w


class Traffic:
    def __init__(self, start, rate, errors, slow):
        self.start, self.rate, self.errors, self.slow = start, rate, errors, slow

    def counts(self, t):
        total = BASE + self.rate * (t - self.start)
        errors = BASE / 1000 + self.rate * self.errors.integral(t)
        slow = BASE / 100 + self.rate * self.slow.integral(t)
        return total, errors, slow

    def exposition(self, t, timestamp=False, labels=""):
        total, errors, slow = self.counts(t)
        at = f" {t:.3f}" if timestamp else ""
        sep = "," if labels else ""
        return (f'app_requests_total{{{labels}{sep}outcome="ok"}} {total - errors:.6f}{at}\n'
                f'app_requests_total{{{labels}{sep}outcome="error"}} {errors:.6f}{at}\n'
                f'app_request_duration_seconds_bucket{{{labels}{sep}le="0.3"}} {total - slow:.6f}{at}\n'
                f'app_request_duration_seconds_bucket{{{labels}{sep}le="+Inf"}} {total:.6f}{at}\n')

    def serve(self, clock):
        """Serves /metrics at `clock()`; returns the address."""
        traffic = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("# TYPE app_requests counter\n# TYPE app_request_duration_seconds histogram\n"
                        + traffic.exposition(clock())).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"127.0.0.1:{self.server.server_address[1]}"

    def history(self, path, until, step, labels, fine=0):
        """OpenMetrics from the start to `until`, every `step` seconds and every second over the
        last `fine` seconds (as a live scrape would have left them), with the scrape's labels:
        each series' points together and in time order, as OpenMetrics (and promtool) want them."""
        coarse = [self.start + i * step for i in range(int((until - fine - self.start) // step) + 1)]
        times = coarse + [t for t in range(int(coarse[-1]) + 1, int(until) + 1)] if fine else coarse
        lines = [self.exposition(t, True, labels).splitlines() for t in times]
        with open(path, "w") as out:
            for index in range(4):
                if index in (0, 2):
                    out.write("# TYPE app_requests counter\n" if index == 0 else "# TYPE app_request_duration_seconds histogram\n")
                out.writelines(line[index] + "\n" for line in lines)
            out.write("# EOF\n")
        return times[-1]
