"""Prometheus as a source: a real Prometheus (Debian's package) holding 40 days of history
backfilled with its own `promtool tsdb create-blocks-from openmetrics`, and Almanac reading it
over the HTTP API instead of scraping: trends, forecast rules and threshold rules come from it."""
import json
import shutil
import subprocess
import time

import requests

from conftest import ADMIN, BINARY, Server, free_port, monitoring_config, start_and_wait
from test_trends import DAY, history


def test_rules_and_trends_read_from_prometheus(workdir):
    now = int(time.time())
    source = workdir / "history.om"
    source.write_text(history(now, days=40))
    tsdb = workdir / "tsdb"
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(source), str(tsdb)], check=True, capture_output=True)
    port = free_port()
    (workdir / "prometheus.yml").write_text("global: {scrape_interval: 1m}\nscrape_configs: []\n")
    url = f"http://127.0.0.1:{port}"
    prometheus = start_and_wait([shutil.which("prometheus"), f"--config.file={workdir / 'prometheus.yml'}", f"--storage.tsdb.path={tsdb}",
                                 "--storage.tsdb.retention.time=400d", f"--web.listen-address=127.0.0.1:{port}"], url + "/-/ready")
    try:
        config = monitoring_config(
            workdir, "jobs: []\n",
            rules="rules:\n"
            "  - alert: DiskFullWithinTwoWeeks\n    service: database\n    series: node_filesystem_avail_bytes{mountpoint=\"/\"}\n"
            "    forecast: {below: 40e9, within: 14d, confidence: 0.8}\n"
            "  - alert: DiskBelow200G\n    service: database\n    series: node_filesystem_avail_bytes{mountpoint=\"/\"}\n"
            "    below: {critical: 200e9}\n"
            "  - alert: ImagesOver2T\n    service: images\n    series: images_bytes\n    above: {critical: 2e12}\n")
        (config / "monitoring" / "source.yaml").write_text(f"prometheus:\n  url: {url}\n  timeout: 20s\n")
        (config / "monitoring" / "trends.yaml").write_text("trends:\n  - series: images_bytes\n")
        server = Server(config, workdir / "data", args=["--rule-interval", "1"]).start()
        try:
            deadline = time.time() + 30
            fired = []
            while time.time() < deadline:
                events = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]
                fired = sorted(e["rule"] for e in events if e["event"] == "fired")
                if len(fired) >= 2:
                    break
                time.sleep(0.5)
            assert fired == ["DiskBelow200G", "DiskFullWithinTwoWeeks"], fired

            trends = requests.get(server.url + "/api/v1/trends", timeout=60, headers=ADMIN).json()["trends"]
            assert [t["name"] for t in trends] == ["node_filesystem_avail_bytes", "images_bytes"]
            disk, images = trends
            assert abs(disk["per_day"] + 8e9) < 0.3e9, disk
            assert abs((disk["crossing_likely"] / 1000 - now) / DAY - 10) < 1.5, disk
            assert abs(images["per_day"] - 2e9) < 0.1e9, images
            assert images["labels"] == {"service": "images"}
        finally:
            server.stop()
        # The CLI reads the same source.
        report = subprocess.run([str(BINARY), "report", "trends", "--format", "json", "--config", str(config), "--data", str(workdir / "data")],
                                capture_output=True, text=True)
        assert report.returncode == 0, report.stderr
        assert [t["name"] for t in json.loads(report.stdout)["trends"]] == ["node_filesystem_avail_bytes", "images_bytes"]
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)
