"""The monitoring pages in real headless Chromium: the alerts page with a firing alert and its
history, and a series page with its SVG forecast chart and predicted crossing."""
import os
import time

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, Server, monitoring_config
from test_alerting import Exporter
from test_pages_chromium import browser, click_and_wait, sign_in  # noqa: F401  (the fixture)


def test_alerts_and_series_pages(browser, workdir):  # noqa: F811
    exporter = Exporter()
    config = monitoring_config(
        workdir, f"jobs:\n  - job: demo\n    targets: ['127.0.0.1:{exporter.port}']\n    interval: 1s\n    timeout: 900ms\n",
        rules="rules:\n  - alert: QueueDeep\n    series: demo_queue_depth\n    above: {critical: 40}\n"
        "  - alert: GhostExporterMissing\n    series: up{job=\"ghost\"}\n    absent: 1m\n")
    server = Server(config, workdir / "data", args=["--rule-interval", "1"]).start()
    try:
        for value in range(1, 9):  # a queue growing by 5 a second
            exporter.value = value * 5
            time.sleep(1)
        browser.get(server.url + "/alerts")
        current = browser.find_element(By.ID, "current").text
        assert "GhostExporterMissing" in current and "firing" in current
        assert "fired" in browser.find_element(By.ID, "history").text

        series = requests.get(server.url + "/api/v1/series", params={"name": "demo_queue_depth"}, headers=ADMIN).json()["series"]
        browser.get(f"{server.url}/series/{series[0]['id']}?threshold=100")
        chart = browser.find_element(By.CSS_SELECTOR, "#chart svg")
        for layer in ["polyline.history", "polygon.band", "polyline.forecast", "line.threshold"]:
            assert chart.find_elements(By.CSS_SELECTOR, layer), layer
        summary = browser.find_element(By.ID, "summary").text
        assert "per day" in summary
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "series.png"))

        # Signed in, an operator acknowledges the firing alert and silences another from the page.
        sign_in(browser, server.url)
        browser.get(server.url + "/alerts")
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#current tr") if "GhostExporterMissing" in r.text)
        row.find_element(By.NAME, "comment").send_keys("looking")
        click_and_wait(browser, row.find_element(By.CSS_SELECTOR, "form.ack button"))
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#current tr") if "GhostExporterMissing" in r.text)
        assert "acknowledged by Ann" in row.text
        form = browser.find_element(By.ID, "silence")
        form.find_element(By.NAME, "matchers").send_keys('{alertname="QueueDeep"}')
        form.find_element(By.NAME, "duration").send_keys("2h")
        form.find_element(By.NAME, "comment").send_keys("queue migration")
        click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))
        assert "queue migration" in browser.find_element(By.ID, "silences").text
        history = browser.find_element(By.ID, "history").text
        assert "acknowledged by Ann" in history and "looking" in history
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "alerts.png"))
    finally:
        server.stop()
