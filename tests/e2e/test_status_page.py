"""The status page built from the bundled example: Almanac scrapes its own OFREP latency, the
example's public SLO counts evaluations answered within 5 ms, `almanac status build` writes the
static page, and with the server stopped Python's http.server serves it to Chromium, whose
bars and figure equal the SLO's."""
import shutil
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, BINARY, EXAMPLE, Server, free_port, start_and_wait, wait_until
from test_pages_chromium import browser  # noqa: F401  (the fixture)


def test_status_page_from_the_example_served_without_almanac(browser, workdir):  # noqa: F811
    port = free_port()
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*"))
    targets = config / "monitoring" / "targets.yaml"
    targets.write_text(targets.read_text().replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace("interval: 15s", "interval: 1s"))
    # Windows over the public service, one past and one planned, written relative to now.
    def moment(offset):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))
    (config / "maintenance" / "almanac.yaml").write_text(
        "windows:\n"
        f"  - {{name: almanac-upgrade, match: '{{service=\"almanac\"}}', start: '{moment(-3 * 3600)}', end: '{moment(-2 * 3600)}',"
        " note: Flags evaluated from the last good set}\n"
        f"  - {{name: almanac-move, match: '{{service=\"almanac\"}}', start: '{moment(86400)}', end: '{moment(90000)}'}}\n")
    server = Server(config, workdir / "data", port=port).start()
    try:
        def slo_now():
            slos = requests.get(server.url + "/api/v1/slos", headers=ADMIN, timeout=10).json()["slos"]
            return next(s for s in slos if s["name"] == "flag-evaluation-latency")
        # A counter's first sample is where counting starts, as with Prometheus's increase.
        assert wait_until(lambda: "problem" not in slo_now(), seconds=30), slo_now()
        for n in range(40):
            assert server.evaluate("new-product-page", {"targetingKey": f"u{n}"}).status_code == 200

        slo = wait_until(lambda: (lambda s: s if s.get("total_events", 0) >= 40 else None)(slo_now()), seconds=30)
        assert slo, "the scrapes counted the evaluations"
        # An incident of the public service, resolved with what users should read.
        opened = requests.post(server.url + "/api/v1/incidents", json={"title": "OFREP slow", "service": "almanac"}, headers=ADMIN, timeout=10)
        assert opened.status_code == 201, opened.text
        done = requests.post(f"{server.url}/api/v1/incidents/{opened.json()['id']}/resolve", headers=ADMIN, timeout=10,
                             json={"summary": "Flag evaluations were slow for ten minutes."})
        assert done.status_code == 200, done.text
        live = requests.get(server.url + "/status", headers=ADMIN, timeout=10)
        assert live.status_code == 200 and 'data-service="almanac"' in live.text

        # The same as an Atom feed: feedparser reads it without complaint, and it validates
        # against RFC 4287's elements in RELAX NG (atom.rng, with xmllint).
        feed = requests.get(server.url + "/status/feed.atom", headers=ADMIN, timeout=10)
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml"), feed.status_code
        parsed = feedparser.parse(feed.content)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        (workdir / "feed.atom").write_bytes(feed.content)
        checked = subprocess.run(["xmllint", "--noout", "--relaxng", str(Path(__file__).parent / "atom.rng"), str(workdir / "feed.atom")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr + feed.text
        titles = [entry.title for entry in parsed.entries]
        incident = next(entry for entry in parsed.entries if entry.title.startswith("almanac: incident, resolved"))
        assert incident.summary == "Flag evaluations were slow for ten minutes.", incident
        assert sum(t.startswith("Maintenance of almanac") for t in titles) >= 2, titles
        assert len({entry.id for entry in parsed.entries}) == len(parsed.entries), "each entry has its own id"
        anonymous = requests.get(server.url + "/status/feed.atom", timeout=10, allow_redirects=False)
        assert anonymous.status_code in (401, 303), "private like the page, unless access.yaml lists /status as public"
    finally:
        server.stop()

    site = workdir / "site"
    built = subprocess.run([str(BINARY), "status", "build", str(site), "--config", str(config), "--data", str(workdir / "data")],
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    web = free_port()
    http = start_and_wait([sys.executable, "-m", "http.server", str(web), "--bind", "127.0.0.1", "--directory", str(site)],
                          f"http://127.0.0.1:{web}/index.html")
    try:
        try:
            requests.get(server.url + "/readyz", timeout=2)
            raise AssertionError("Almanac should be stopped")
        except requests.ConnectionError:
            pass
        browser.anonymous = True
        browser.get(f"http://127.0.0.1:{web}/index.html")
        section = browser.find_element(By.CSS_SELECTOR, 'section[data-service="almanac"]')
        bars = section.find_elements(By.CSS_SELECTOR, "rect.day")
        assert len(bars) == 90
        with_data = [float(b.get_attribute("data-percent")) for b in bars if b.get_attribute("data-percent")]
        assert with_data, "today has a bar"
        figure = float(section.find_element(By.CLASS_NAME, "availability").text.rstrip("%"))
        assert abs(figure - slo["ratio_percent"]) < 0.001, (figure, slo)
        if len(with_data) == 1:
            assert abs(with_data[0] - slo["ratio_percent"]) < 0.001
        note = browser.find_element(By.CSS_SELECTOR, 'section.incidents li[data-service="almanac"]').text
        assert note.endswith("— Flag evaluations were slow for ten minutes."), note
        past = browser.find_element(By.CSS_SELECTOR, 'section.maintenance ul.past li[data-window="almanac-upgrade"]').text
        assert past.endswith("almanac — Flags evaluated from the last good set"), past
        assert browser.find_element(By.CSS_SELECTOR, 'section.maintenance ul.planned li[data-window="almanac-move"]')
        assert not browser.find_elements(By.CSS_SELECTOR, 'li[data-window="database-backups"]'), "the database is not a public service"
        state = section.find_element(By.CLASS_NAME, "state").text
        assert state in ("operational", "degraded", "major outage")
        browser.save_screenshot(str(workdir / "status.png"))
    finally:
        http.terminate()
