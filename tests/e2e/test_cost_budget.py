"""Cost forecasts and budgets end to end: 20 days of node_exporter and process history backfilled
with `almanac series import`, in which one service's CPU grows. The server's costs job turns
each day into `almanac_cost_per_month` samples, and an ordinary forecast rule on them (a budget)
fires as a disk's would; the Markdown report carries the 6- and 12-month forecast, `--what-if`
compares a move with today, and the page draws the forecast in Chromium."""
import json
import os
import subprocess
import time

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, BINARY, Server, monitoring_config
from test_pages_chromium import browser  # noqa: F401  (the fixture)

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: search}
spec: {type: service, lifecycle: production, owner: team, servers: [h]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web}
spec: {type: service, lifecycle: production, owner: team, servers: [h]}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db}
spec: {type: database, owner: team, servers: [spare]}
"""

COSTS = """currency: EUR
hosts:
  - {name: h, vcpus: 4, memory_gb: 16, location: FR, pue: 1, cloud: {per_vcpu_hour: 0.01, per_gb_hour: 0.001}}
  - {name: spare, vcpus: 8, memory_gb: 32, location: DE, pue: 1.2, fixed: {monthly: 50}, embodied_kg: 800}
"""

# The host costs 0.056 an hour: 40.88 a month. search's share of it grows from about a half to
# about four fifths over the 20 days, so its forecast passes 38 within weeks.
RULES = """rules:
  - alert: SearchOverBudget
    service: search
    series: almanac_cost_per_month{service="search"}
    forecast: {above: 38, within: 90d}
  - alert: CarbonBudget
    series: almanac_co2e_kg_per_month{service=""}
    forecast: {above: 1000, within: 365d}
"""


def history(now, days=20):
    """Half-hourly counters of a 4-CPU host and its two services; search from 0.5 to 2.5 cores."""
    steps = range(days * 48 + 1)
    start = now - days * 86400
    idle, search, web = [0.0], [0.0], [0.0]
    for step in steps:
        cores = 0.5 + 2 * step / (days * 48)
        search.append(search[-1] + cores * 1800)
        web.append(web[-1] + 0.5 * 1800)
        idle.append(idle[-1] + (1 - (cores + 0.5) / 4) * 1800)
    lines = ["# TYPE node_cpu_seconds counter"]
    for cpu in range(4):
        lines += [f'node_cpu_seconds_total{{cpu="{cpu}",host="h",mode="idle"}} {idle[s]} {start + s * 1800}' for s in steps]
    lines.append("# TYPE process_cpu_seconds counter")
    for name, values in (("search", search), ("web", web)):
        lines += [f'process_cpu_seconds_total{{host="h",service="{name}"}} {values[s]} {start + s * 1800}' for s in steps]
    lines.append("# TYPE process_resident_memory_bytes gauge")
    for name in ("search", "web"):
        lines += [f'process_resident_memory_bytes{{host="h",service="{name}"}} 1073741824 {start + s * 1800}' for s in steps]
    return "\n".join(lines) + "\n# EOF\n"


def test_daily_costs_feed_a_budget_rule_a_forecast_and_a_what_if(browser, workdir):  # noqa: F811
    config = monitoring_config(workdir, "jobs: []\n", rules=RULES)
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "capacity").mkdir()
    (config / "capacity" / "costs.yaml").write_text(COSTS)
    data = workdir / "data"
    common = ["--config", str(config), "--data", str(data)]
    (workdir / "history.om").write_text(history(int(time.time())))
    imported = subprocess.run([str(BINARY), "series", "import", str(workdir / "history.om")] + common, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr

    server = Server(config, data, args=["--cost-interval", "1", "--rule-interval", "1"]).start()
    try:
        deadline, fired = time.time() + 60, []
        while time.time() < deadline and not fired:
            events = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]
            fired = [e for e in events if e["event"] == "fired"]
            time.sleep(0.5)
        assert [e["rule"] for e in fired] == ["SearchOverBudget"], fired

        costs = requests.get(server.url + "/api/v1/costs", headers=ADMIN).json()
        search = [o for o in costs["outlook"] if o.get("service") == "search" and o["measure"] == "money"][0]
        assert 19 <= search["days"] <= 21 and search["now"] < search["six_months"]["likely"] < search["twelve_months"]["likely"]
        total = [o for o in costs["outlook"] if o.get("service") is None and o["measure"] == "money"][0]
        # Fixed and hourly prices do not grow by themselves: all services together stay at 40.88 + 50 a month.
        assert abs(total["twelve_months"]["likely"] - 90.88) < 0.01, total

        browser.get(server.url + "/costs")
        assert browser.find_elements(By.CSS_SELECTOR, "figure.outlook svg polyline, figure.outlook svg path")
        outlook = browser.find_element(By.ID, "outlook").text
        assert "search" in outlook and "all services" in outlook
        split = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#split tbody tr")]
        assert any(r.startswith("search") for r in split) and any(r.startswith("all hosts") for r in split)
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "costs-forecast.png"))
    finally:
        server.stop()

    markdown = subprocess.run([str(BINARY), "report", "costs", "--format", "markdown"] + common, capture_output=True, text=True)
    assert markdown.returncode == 0, markdown.stderr
    assert "## Forecast" in markdown.stdout and "| search | EUR |" in markdown.stdout and "## Where it goes" in markdown.stdout

    (workdir / "what-if.yaml").write_text("changes:\n  - move: {service: search, from: h, to: spare}\n")
    what_if = subprocess.run(
        [str(BINARY), "report", "costs", "--what-if", str(workdir / "what-if.yaml"), "--format", "json"] + common, capture_output=True, text=True)
    assert what_if.returncode == 0, what_if.stderr
    compared = json.loads(what_if.stdout)
    moved = {h["host"]: [s["service"] for s in h["shares"]] for h in compared["changed"]["hosts"]}
    assert moved == {"h": ["web"], "spare": ["db", "search"]}, moved
    spare = [h for h in compared["changed"]["hosts"] if h["host"] == "spare"][0]
    assert spare.get("utilization") is None, "spare has no CPU series: its load stays a gap, not a guess"

    (workdir / "bad.yaml").write_text("changes:\n  - move: {service: search, from: h, to: nowhere}\n")
    bad = subprocess.run([str(BINARY), "report", "costs", "--what-if", str(workdir / "bad.yaml")] + common, capture_output=True, text=True)
    assert bad.returncode == 1 and "bad.yaml:2" in bad.stderr and "unknown host 'nowhere'" in bad.stderr, bad.stderr
