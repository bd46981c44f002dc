"""SLOs against real traffic counters: Almanac's burn rates and SLI ratios equal a real
Prometheus's recording rules (Debian's package) scraping the same application, and the
ErrorBudgetBurn alert pages on a burst and resolves after it as the SRE Workbook says."""
import json
import shutil
import subprocess
import time

import requests

from conftest import ADMIN, BINARY, FastClock, Server, WebhookReceiver, free_port, monitoring_config, start_and_wait, wait_until
from slo_traffic import Share, Traffic

SLOS = """slos:
  - name: shop-availability
    service: shop
    sli:
      ratio: {good: 'app_requests_total{job="app", outcome="ok"}', total: 'app_requests_total{job="app"}'}
    objective: 99.9%
    window: 30d
  - name: shop-latency
    service: shop
    sli:
      latency: {buckets: 'app_request_duration_seconds_bucket{job="app"}', threshold: 0.3}
    objective: 99%
    window: 30d
"""
WINDOWS = ["5m", "1h", "6h"]


def recording_rules():
    rules = []
    for window in WINDOWS:
        rules.append({"record": f"slo:availability_errors:ratio_rate{window}",
                      "expr": f'sum(rate(app_requests_total{{job="app",outcome="error"}}[{window}]))'
                              f' / sum(rate(app_requests_total{{job="app"}}[{window}]))'})
        rules.append({"record": f"slo:latency_slow:ratio_rate{window}",
                      "expr": f'1 - sum(rate(app_request_duration_seconds_bucket{{job="app",le="0.3"}}[{window}]))'
                              f' / sum(rate(app_request_duration_seconds_bucket{{job="app",le="+Inf"}}[{window}]))'})
    return json.dumps({"groups": [{"name": "slo", "interval": "1s", "rules": rules}]})


def setup(workdir, traffic, history_until, step, fine=0, clock=time.time):
    """The application served on `clock`, its history imported into Almanac's data directory; returns the file and the address."""
    address = traffic.serve(clock)
    history = workdir / "history.om"
    traffic.history(history, history_until, step, f'instance="{address}",job="app"', fine)
    imported = subprocess.run([str(BINARY), "series", "import", str(history), "--data", str(workdir / "data")], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    return history, address


def slos(server):
    answer = requests.get(server.url + "/api/v1/slos", headers=ADMIN, timeout=30).json()
    return answer["evaluated_at"], {s["name"]: s for s in answer["slos"]}


def test_burn_rates_and_ratios_equal_prometheus_recording_rules(workdir):
    start = int(time.time()) - 7 * 3600
    # Errors between 0.5% and 1.5% and slow requests between 2% and 6%, in waves of 8 and 11
    # minutes, so the 5-minute, 1-hour and 6-hour windows all see different shares.
    traffic = Traffic(start, 50, Share(start, 0.01, 0.005, 480), Share(start, 0.04, 0.02, 660))
    # The last 10 minutes come a sample a second, as from the live scrape: over a short window,
    # Prometheus's rate starts at the first sample inside it and Almanac's increase at the last
    # one before it, which 15-second steps would set apart by up to 5% of 5 minutes.
    history, address = setup(workdir, traffic, time.time() - 2, 15, fine=600)
    tsdb = workdir / "tsdb"
    made = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(history), str(tsdb)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    (workdir / "rules.yml").write_text(recording_rules())
    (workdir / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}\nrule_files: [rules.yml]\n"
        f"scrape_configs:\n  - job_name: app\n    static_configs: [{{targets: ['{address}']}}]\n")
    port = free_port()
    prometheus = f"http://127.0.0.1:{port}"
    binary = shutil.which("prometheus")
    assert binary, "prometheus must be installed (the test command installs it)"
    process = start_and_wait([binary, f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={tsdb}",
                              f"--web.listen-address=127.0.0.1:{port}"], prometheus + "/-/ready")
    config = monitoring_config(workdir, f"jobs:\n  - job: app\n    targets: ['{address}']\n    interval: 1s\n    timeout: 900ms\n")
    (config / "slos").mkdir()
    (config / "slos" / "shop.yaml").write_text(SLOS)
    server = Server(config, workdir / "data").start()

    def recorded(name, at):
        answer = requests.get(prometheus + "/api/v1/query", params={"query": name, "time": at}, timeout=10).json()
        result = answer["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def scraped_live():
        """Both have scraped the live target for 20 s beside the history (the windows compared
        reach past the seam between the two)."""
        theirs = requests.get(prometheus + "/api/v1/query", params={"query": 'count_over_time(up{job="app"}[30s])'}, timeout=10).json()
        result = theirs["data"]["result"]
        series = requests.get(server.url + "/api/v1/series", params={"name": "up"}, headers=ADMIN, timeout=10).json()["series"]
        app = [one for one in series if one["labels"].get("job") == "app"]
        if not result or float(result[0]["value"][1]) < 20 or not app:
            return False
        since = int((time.time() - 30) * 1000)
        samples = requests.get(f"{server.url}/api/v1/series/{app[0]['id']}/samples", params={"from": since}, headers=ADMIN, timeout=10).json()
        return len(samples["samples"]) >= 20

    try:
        assert wait_until(scraped_live, seconds=60), "both scrape the application"
        compared, worst = 0, 0.0
        deadline = time.time() + 150
        # At least 150 comparisons, taken a second apart (Prometheus records every second).
        while time.time() < deadline and compared < 150:
            evaluated_at, figures = slos(server)
            at = evaluated_at / 1000
            for slo, record, objective in [("shop-availability", "availability_errors", 0.999), ("shop-latency", "latency_slow", 0.99)]:
                for window in WINDOWS:
                    theirs = recorded(f"slo:{record}:ratio_rate{window}", at)
                    assert theirs is not None, f"Prometheus recorded {record} over {window}"
                    burn = figures[slo]["burn_rates"][window]
                    their_burn = theirs / (1 - objective)
                    # The SLI ratio is what the burn rate leaves of the objective's budget.
                    ratio, their_ratio = 1 - burn * (1 - objective), 1 - theirs
                    for ours, expected in [(burn, their_burn), (ratio, their_ratio)]:
                        off = abs(ours - expected) / expected
                        worst = max(worst, off)
                        if off > 0.01:
                            explain(server, prometheus, at)
                        assert off <= 0.01, f"{slo} over {window} at {at}: Almanac {ours}, Prometheus {expected}"
                    compared += 1
            time.sleep(1)
        assert compared >= 150, compared
        print(f"\n{compared} burn rates (and SLI ratios) compared with Prometheus's recording rules; worst difference {worst:.3%}")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
        process.terminate()
        process.wait(timeout=20)


def explain(server, prometheus, at):
    """Prints what each side holds of the counters over the last 5 minutes and a little more,
    with the gaps between samples, so a difference can be traced to the samples behind it."""
    since = at - 330
    for one in requests.get(server.url + "/api/v1/series", params={"name": "app_requests_total"}, headers=ADMIN, timeout=10).json()["series"]:
        got = requests.get(f"{server.url}/api/v1/series/{one['id']}/samples", params={"from": int(since * 1000), "to": int(at * 1000)},
                           headers=ADMIN, timeout=10).json()["samples"]
        print("almanac", one["labels"], len(got), got[:2], got[-2:])
        window = [v for t, v in got if t > (at - 300) * 1000]
        before = [v for t, v in got if t <= (at - 300) * 1000][-1:]
        points = before + window
        span = {"from": int((at - 30 * 86400 - 3600) * 1000), "to": int(at * 1000)}
        full = requests.get(f"{server.url}/api/v1/series/{one['id']}/samples", params=span, headers=ADMIN, timeout=10).json()["samples"]
        ts = [t for t, _ in full]
        print("  over the SLO's range:", len(full), "samples, sorted:", ts == sorted(ts), "last:", full[-3:],
              "in the last 5 min:", sum(1 for t in ts if t > (at - 300) * 1000))
        print("  growth over the last 5 minutes, from these samples:", sum(b - a if b >= a else b for a, b in zip(points, points[1:])),
              "steps back in time:", [(a, b) for (a, _), (b, _) in zip(got, got[1:]) if b <= a])
    answer = requests.get(prometheus + "/api/v1/query", params={"query": "app_requests_total[330s]", "time": at}, timeout=10).json()
    for one in answer["data"]["result"]:
        values = one["values"]
        gaps = [(a[0], b[0]) for a, b in zip(values, values[1:]) if b[0] - a[0] > 1.5]
        print("prometheus", one["metric"], len(values), values[:2], values[-2:], "gaps", gaps)


def alerts(receiver, clock=None):
    return [(clock.at(at) if clock else at, a["labels"]["alertname"], a["labels"].get("severity"), a["status"]) for at, a in receiver.alerts()]


def test_a_burst_pages_within_two_minutes_and_resolves_once_the_short_window_is_clean(workdir):
    """Three days at 0.05% errors (a burn rate of 0.5), then 90 s of nothing but errors: the 1-hour
    window passes 14.4× after 52 s, so the page goes out within 2 minutes; once the burst has
    (nearly) left the 5-minute window it resolves, within 6 minutes. The 6-hour window never reaches 6× (0.47%)
    and the 3-day one never 1× (0.085%), so nothing else fires. Every time here is the fast clock's:
    the server, the application and the test run ten times faster than the wall clock."""
    clock = FastClock(10)
    rate = 20
    start = int(clock()) - 3 * 86400
    errors = Share(start, 0.0005)
    traffic = Traffic(start, rate, errors, Share(start, 0.0))
    _, address = setup(workdir, traffic, clock() - 2, 60, clock=clock)
    receiver = WebhookReceiver()
    config = monitoring_config(workdir, f"jobs:\n  - job: app\n    targets: ['{address}']\n    interval: 1s\n    timeout: 900ms\n",
                               notifications=f"receivers:\n  - name: ops\n    webhook: {receiver.url}\n")
    (config / "slos").mkdir()
    (config / "slos" / "shop.yaml").write_text(SLOS.split("  - name: shop-latency")[0])
    server = Server(config, workdir / "data", args=["--rule-interval", "2", "--notification-backoff", "2"] + clock.args(),
                    extra_env={"ALMANAC_TEST_MODE": "1"}).start()
    try:
        clock.wait(30)
        assert alerts(receiver) == [], "nothing fires on the slow background burn"
        burst = clock()
        errors.set(burst, 1.0)
        paged = None
        while clock() - burst < 120 and not paged:
            paged = next((at for at, name, severity, status in alerts(receiver, clock)
                          if name == "ErrorBudgetBurn" and severity == "critical" and status == "firing"), None)
            clock.wait(0.5)
        assert paged, f"a page within 2 minutes of the burst: {alerts(receiver, clock)}"
        clock.wait(max(0, 90 - (clock() - burst)))
        recovered = clock()
        errors.set(recovered, 0.0005)
        resolved = None
        while clock() - recovered < 360 and not resolved:
            resolved = next((at for at, name, _, status in alerts(receiver, clock) if name == "ErrorBudgetBurn" and status == "resolved"), None)
            clock.wait(1)
        assert resolved, f"resolved within 6 minutes of recovery: {alerts(receiver, clock)}"
        # It clears once under 14.4 × 0.1% of the 5-minute window (4.3 s) is still burst.
        assert resolved - recovered > 300 - 4.4, f"not before the burst left the 5-minute window: {resolved - recovered:.1f} s"
        assert [(name, severity, status) for _, name, severity, status in alerts(receiver)] == [
            ("ErrorBudgetBurn", "critical", "firing"), ("ErrorBudgetBurn", "critical", "resolved")], alerts(receiver)

        # Budget left, worked by hand from the traffic: the events seen so far (3 days and the
        # minutes since) allow 0.1% bad; the bad ones are 0.05% of them plus the burst's 99.95%.
        _, figures = slos(server)
        figure = figures["shop-availability"]
        seen = figure["total_events"] / rate  # seconds of traffic the counted samples span
        bad = rate * (0.0005 * seen + 0.9995 * (recovered - burst))
        expected = 100 * (1 - bad / (0.001 * rate * seen))
        assert abs(figure["budget_remaining_percent"] - expected) < 0.01, (figure, expected)
        history = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN, timeout=10).json()["events"]
        assert sorted(e["event"] for e in history if e["rule"] == "ErrorBudgetBurn") == ["fired", "resolved"], history
        print(f"\npaged {paged - burst:.0f} s after the burst began; resolved {resolved - recovered:.0f} s after it ended; "
              f"budget left {figure['budget_remaining_percent']:.3f}% (by hand {expected:.3f}%)")
    except AssertionError:
        print(server.log.read_text()[-3000:])
        raise
    finally:
        server.stop()
