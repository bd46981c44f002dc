"""Trends end to end: 60 days of history backfilled with `almanac series import` (OpenMetrics
with timestamps, as promtool backfills), then `almanac report trends` in Markdown and JSON, and
the trends and thresholds pages in real headless Chromium."""
import json
import os
import subprocess
import time

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, BINARY, Server, monitoring_config
from test_pages_chromium import browser  # noqa: F401  (the fixture)

DAY = 86400


def history(now, days=60):
    """Hourly samples: free space falling 8 GB a day to 120 GB (so below 40 GB in 10 days), with a
    cleanup 20 days ago that freed 300 GB; image storage growing 2 GB a day; a flat cache."""
    hours = range(days * 24, -1, -1)
    # OpenMetrics keeps each family's samples together.
    lines = ["# TYPE node_filesystem_avail_bytes gauge"]
    for hour in hours:
        d = hour / 24
        free = 120e9 + 8e9 * d - (300e9 if d > 20 else 0)
        lines.append(f'node_filesystem_avail_bytes{{mountpoint="/",service="database"}} {free} {now - hour * 3600}')
    lines.append("# TYPE images_bytes gauge")
    lines += [f'images_bytes{{service="images"}} {900e9 - 2e9 * hour / 24} {now - hour * 3600}' for hour in hours]
    lines.append("# TYPE cache_bytes gauge")
    lines += [f'cache_bytes{{service="web"}} {5e9 + (hour % 7) * 1e6} {now - hour * 3600}' for hour in hours]
    return "\n".join(lines) + "\n# EOF\n"


def test_trends_report_and_pages(browser, workdir):  # noqa: F811
    config = monitoring_config(
        workdir, "jobs: []\n",
        rules="rules:\n  - alert: DiskAlmostFull\n    service: database\n    series: node_filesystem_avail_bytes{mountpoint=\"/\"}\n"
        "    below: {warning: 80e9, critical: 40e9}\n    for: 10m\n")
    (config / "monitoring" / "trends.yaml").write_text("trends:\n  - series: images_bytes\n  - series: cache_bytes\n")
    data = workdir / "data"
    now = int(time.time())
    (workdir / "history.om").write_text(history(now))

    common = ["--config", str(config), "--data", str(data)]
    imported = subprocess.run([str(BINARY), "series", "import", str(workdir / "history.om")] + common, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert "4323 samples" in imported.stdout

    report = subprocess.run([str(BINARY), "report", "trends", "--format", "json", "--days", "60"] + common, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    trends = json.loads(report.stdout)["trends"]
    assert [t["name"] for t in trends] == ["node_filesystem_avail_bytes", "images_bytes", "cache_bytes"]
    disk = trends[0]
    # The cleanup 20 days ago is a level shift: only the fall since is fitted.
    assert abs(disk["per_day"] + 8e9) < 0.2e9, disk
    assert abs((disk["crossing_likely"] / 1000 - now) / DAY - 10) < 1, disk
    assert disk["crossing_earliest"] <= disk["crossing_likely"] <= disk["crossing_latest"]
    assert abs(trends[1]["per_week"] - 14e9) < 0.3e9

    markdown = subprocess.run([str(BINARY), "report", "trends", "--format", "markdown"] + common, capture_output=True, text=True).stdout
    assert "| Service | Series | Now | Per day |" in markdown
    assert "| database | node_filesystem_avail_bytes{mountpoint=\"/\"} | 120G | -8G | -56G | -240G | line after cleanup | < 40G |" in markdown
    thresholds = subprocess.run([str(BINARY), "report", "thresholds", "--format", "markdown"] + common, capture_output=True, text=True).stdout
    assert "| database | DiskAlmostFull | node_filesystem_avail_bytes{mountpoint=\"/\"} | last < level | 80G | 40G | 10m |" in thresholds

    server = Server(config, data).start()
    try:
        browser.get(server.url + "/trends")
        rows = browser.find_elements(By.CSS_SELECTOR, "#trends tbody tr")
        assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["database", "images", "web"]
        assert "in 10 days" in rows[0].text or "in 9 days" in rows[0].text or "in 11 days" in rows[0].text
        charts = browser.find_elements(By.CSS_SELECTOR, "figure.trend svg")
        assert len(charts) == 3
        assert charts[0].find_elements(By.CSS_SELECTOR, "line.threshold") and charts[0].find_elements(By.CSS_SELECTOR, "polygon.band")
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "trends.png"))
        browser.get(server.url + "/thresholds")
        assert "DiskAlmostFull" in browser.find_element(By.ID, "thresholds").text
    finally:
        server.stop()


def test_a_change_of_pace_is_found_reported_and_drawn(browser, workdir):  # noqa: F811
    """Uploads grew 1 GB a day for 22 days, then 3 GB a day for the last 8: the report names the
    change with both rates, and the series page marks it on the chart, in Chromium."""
    config = monitoring_config(workdir, "jobs: []\n")
    (config / "monitoring" / "trends.yaml").write_text("trends:\n  - series: uploads_bytes\n")
    data = workdir / "data"
    now = int(time.time())
    lines = ["# TYPE uploads_bytes gauge"]
    for hour in range(30 * 24, -1, -1):
        days_ago = hour / 24
        value = 100e9 + 1e9 * (30 - max(days_ago, 8)) + 3e9 * (8 - min(days_ago, 8)) + ((hour * 7919) % 13 - 6) * 5e7
        lines.append(f'uploads_bytes{{service="images"}} {value} {now - hour * 3600}')
    (workdir / "uploads.om").write_text("\n".join(lines) + "\n# EOF\n")
    common = ["--config", str(config), "--data", str(data)]
    imported = subprocess.run([str(BINARY), "series", "import", str(workdir / "uploads.om")] + common, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr

    trend = json.loads(subprocess.run([str(BINARY), "report", "trends", "--format", "json"] + common, capture_output=True,
                                      text=True).stdout)["trends"][0]
    assert trend["model"] == "line after change point", trend
    assert abs((now - trend["growth_changed_at"] / 1000) / DAY - 8) < 1, trend
    assert abs(trend["growth_before_per_day"] - 1e9) < 0.15e9 and abs(trend["growth_after_per_day"] - 3e9) < 0.15e9, trend
    assert abs(trend["per_day"] - 3e9) < 0.15e9, trend
    markdown = subprocess.run([str(BINARY), "report", "trends", "--format", "markdown"] + common, capture_output=True, text=True).stdout
    assert "line after change point; growth changed on" in markdown and "from +1G/day to +3" in markdown, markdown

    server = Server(config, data).start()
    try:
        series = requests.get(server.url + "/api/v1/series", params={"name": "uploads_bytes"}, headers=ADMIN, timeout=10).json()["series"]
        browser.get(f"{server.url}/series/{series[0]['id']}")
        chart = browser.find_element(By.CSS_SELECTOR, "#chart svg")
        assert chart.find_elements(By.CSS_SELECTOR, "line.change") and chart.find_elements(By.CSS_SELECTOR, "polygon.band")
        assert "Growth changed on" in browser.find_element(By.ID, "summary").text
        browser.get(server.url + "/trends")
        assert browser.find_elements(By.CSS_SELECTOR, "figure.trend svg line.change")
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "change-of-pace.png"))
    finally:
        server.stop()
