"""The first start, as a new user sees it: the README's run command on the bundled example, then
headless Chromium. The history the example carries is imported into the empty data directory,
so the home page lists a firing forecast alert and a projected crossing with its range at once,
the trends page has a series with a crossing, and each item links to its page. The screenshot
is checked against the page's content: the page is not blank where the items are."""
import os
import re
import shutil

from selenium.webdriver.common.by import By

from conftest import EXAMPLE, Server
from test_bad_monitoring_input import wait_until
from test_pages_chromium import browser, click_and_wait  # noqa: F401  (the fixture)


def test_first_start_shows_what_needs_attention(browser, workdir):  # noqa: F811
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data").start()
    try:
        # The rules' first evaluation runs as the server starts; the page shows it a moment later.
        assert wait_until(lambda: browser.get(server.url + "/") or "ImagesDiskFullSoon" in browser.find_element(By.ID, "attention-alerts").text)
        alerts = browser.find_element(By.ID, "attention-alerts")
        firing = [li for li in alerts.find_elements(By.CSS_SELECTOR, "li.critical") if "ImagesDiskFullSoon firing" in li.text]
        assert firing and "mountpoint=/zfs-hdd" in firing[0].text, alerts.text
        crossings = browser.find_element(By.ID, "attention-crossings").text
        match = re.search(r"zfs-hdd\} falls to 1T in (\d+) days, between (\d+) and (\d+)", crossings)
        assert match, crossings
        likely, earliest, latest = map(int, match.groups())
        assert 7 <= earliest <= likely <= latest <= 25, match.groups()
        assert "elasticsearch" in browser.find_element(By.ID, "attention-skills").text
        assert "product-edit-form-v2: expired" in browser.find_element(By.ID, "attention-flags").text

        shot = os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "home.png")
        browser.save_screenshot(shot)
        png = browser.get_screenshot_as_png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, "the screenshot shows a rendered page, not a blank one"
        box = firing[0].rect
        assert box["width"] > 100 and box["height"] > 10 and box["y"] < 1600, "the firing alert is on the first screen"
        colour = firing[0].find_element(By.TAG_NAME, "a").value_of_css_property("color")
        assert colour.startswith("rgba(170, 17, 17") or colour.startswith("rgb(170, 17, 17"), colour

        click_and_wait(browser, firing[0].find_element(By.TAG_NAME, "a"))
        assert browser.current_url.endswith("/alerts") and "ImagesDiskFullSoon" in browser.page_source
        browser.get(server.url + "/trends")
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#trends tbody tr")]
        assert any("zfs-hdd" in r and "in " in r and " to " in r for r in rows), rows
    finally:
        server.stop()
