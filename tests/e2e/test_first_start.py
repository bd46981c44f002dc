"""Every domain alive on the first start: the bundled example, started as a new user starts it,
shows costs per service, service levels with their budgets, a status page with coloured days,
checks of its local hosts, a backup with a passed restore drill, a load-test run with its CPU
per request, and the revision each production host runs. Headless Chromium reads each page, as
a person would, and keeps a screenshot of each (ALMANAC_SCREENSHOTS, the test command's
artifacts folder)."""
import os
import re
import shutil

from selenium.webdriver.common.by import By

from conftest import EXAMPLE, Server
from test_bad_monitoring_input import wait_until
from test_pages_chromium import browser, sign_in  # noqa: F401  (the fixture)


def rows(browser, table_id):
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in browser.find_elements(By.CSS_SELECTOR, f"#{table_id} tr") if row.find_elements(By.TAG_NAME, "td")]


def shoot(browser, workdir, name):
    browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), f"first-start-{name}.png"))


def test_every_domain_has_data_on_the_first_start(browser, workdir):  # noqa: F811
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*", "*.tar.gz"))
    server = Server(config, workdir / "data", args=["--drift-interval", "1"]).start()
    try:
        sign_in(browser, server.url)

        browser.get(server.url + "/costs")
        services = {r[0]: r for r in rows(browser, "services")}
        priced = [name for name, r in services.items() if re.match(r"^\d[\d,]*\.\d\d$", r[1]) and not name.startswith("idle")]
        assert len(priced) >= 5, services
        assert not [name for name, r in services.items() if "no data" in " ".join(r)], services
        assert not [services[name] for name in priced if not re.match(r"^[\d.]+$", services[name][5])], "each priced service has its CO2e"
        shoot(browser, workdir, "costs")

        browser.get(server.url + "/slos")
        slo = {r[0]: r for r in rows(browser, "slos")}["product-opener-availability"]
        good, budget, burn1h, burn6h, burn3d = slo[4:9]
        assert re.match(r"^99\.\d+%$", good) and re.match(r"^-?\d+(\.\d+)?%$", budget), slo
        assert all(re.match(r"^\d+(\.\d+)?×$", b) for b in (burn1h, burn6h, burn3d)), slo
        shoot(browser, workdir, "slos")

        browser.get(server.url + "/status")
        coloured = browser.find_elements(By.CSS_SELECTOR, "svg rect.day:not(.none)")
        assert len(coloured) >= 30, f"{len(coloured)} coloured days"
        assert browser.find_elements(By.CSS_SELECTOR, "svg rect.day.bad, svg rect.day.low"), "the two incidents show"
        shoot(browser, workdir, "status")

        assert wait_until(lambda: browser.get(server.url + "/checks") or len([r for r in rows(browser, "checks") if r[3]]) >= 3, 30)
        states = {r[0]: r[3] for r in rows(browser, "checks")}
        assert states["staging-home"] == "OK" and states["production-canary-port"] == "OK", states
        shoot(browser, workdir, "checks")

        assert wait_until(lambda: browser.get(server.url + "/backups") or "passed" in browser.find_element(By.ID, "backups").text, 30)
        backup = {r[0]: r for r in rows(browser, "backups")}["team-knowledge"]
        assert backup[-1] == "passed" and "restored in" in backup[-2], backup
        shoot(browser, workdir, "backups")

        browser.get(server.url + "/capacity")
        test = {r[0]: r for r in rows(browser, "loadtests")}["staging-home"]
        assert "passed" in test[4] and float(test[6]) > 0, test
        shoot(browser, workdir, "capacity")

        def hosts():
            browser.get(server.url + "/pipeline/production")
            return {r[0]: r[1] for r in rows(browser, "hosts")}
        assert wait_until(lambda: all(re.match(r"^[0-9a-f]{10}$", v) for v in hosts().values()), 30), hosts()
        assert len(hosts()) == 4 and len(set(hosts().values())) == 2, "three hosts run the second release, one the first"
        shoot(browser, workdir, "production")
        # Without a database the patches are listed, classified, and the page says what to set.
        patches = {r[0]: r for r in rows(browser, "patches")}
        assert list(patches) == ["0001-products", "0002-origin", "0003-origin-index", "0004-stock-bigint"], patches
        assert [patches[p][1] for p in patches] == ["hot", "hot", "hot", "cold"]
        assert "EXAMPLE_PRODUCTION_DATABASE_URL is not set" in browser.find_element(By.TAG_NAME, "main").text

        # Nothing projected from the server's own minutes-old series, on the home page or the
        # agenda: `up` sits at its level (not past it), and a new series has too little history.
        browser.get(server.url + "/")
        crossings = browser.find_element(By.ID, "attention-crossings").text
        assert "zfs-hdd} falls to 1T" in crossings, crossings
        assert not re.search(r"(up|scrape_duration_seconds)\{[^\n]*(falls to|reaches)", crossings), crossings
        browser.get(server.url + "/meeting")
        agenda = browser.find_element(By.TAG_NAME, "main").text
        assert not re.search(r"(up|scrape_duration_seconds)\{[^\n]*(reaches|falls to)", agenda), agenda
    finally:
        server.stop()
        shutil.rmtree(config / ".example-hosts", ignore_errors=True)
