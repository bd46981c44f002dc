"""Pages a person can scan on a laptop or a phone: the header holds at most seven groups, each
opening its pages, with the current one marked; a search box finds a flag, a series, an entity,
a check or a person by name; and no page the navigation reaches scrolls sideways at 1280 × 800
or at 390 × 844 (wide tables scroll in their own box). The phone-sized home page is kept as a
screenshot (ALMANAC_SCREENSHOTS)."""
import os
import shutil
from urllib.parse import urlparse

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from conftest import EXAMPLE, Server, wait_until
from test_pages_chromium import browser, sign_in  # noqa: F401  (the fixture)


def navigation_links(browser):
    return sorted({urlparse(a.get_attribute("href")).path for a in browser.find_elements(By.CSS_SELECTOR, "#nav a")})


def overflow(browser):
    return browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")


def test_navigation_groups_search_and_no_sideways_scroll(browser, workdir):  # noqa: F811
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*", "*.tar.gz"))
    # A plugin whose output is one long unbroken line, as a stack trace or a URL list can be:
    # the timeline's table must wrap it, not widen the page.
    (config / "checks" / "wide.yaml").write_text(
        "checks:\n  - {name: wide-output, entity: component:almanac, interval: 1m, attempts: 1, command: [/bin/sh, -c, 'printf %0300d 0; exit 2']}\n")
    server = Server(config, workdir / "data").start()
    try:
        sign_in(browser, server.url)
        assert wait_until(lambda: browser.get(server.url + "/timeline") or "0" * 300 in browser.page_source, 30)
        browser.get(server.url + "/")
        top = browser.find_elements(By.CSS_SELECTOR, "#nav > a, #nav > details")
        assert len(top) <= 7, [t.text for t in top]
        groups = [t.find_element(By.TAG_NAME, "summary").text if t.tag_name == "details" else t.text for t in top]
        assert groups[0] == "Home" and "Monitoring" in groups and "Services & people" in groups, groups

        # Each group opens its pages (no JavaScript: a details element), and the page shown is marked.
        monitoring = top[groups.index("Monitoring")]
        monitoring.find_element(By.TAG_NAME, "summary").click()
        alerts = monitoring.find_element(By.LINK_TEXT, "Alerts")
        assert alerts.is_displayed()
        alerts.click()
        assert browser.find_element(By.CSS_SELECTOR, "#nav a[aria-current=page]").get_attribute("textContent") == "Alerts"
        assert "current" in browser.find_element(By.CSS_SELECTOR, "#nav details.current summary").find_element(By.XPATH, "..").get_attribute("class")

        links = navigation_links(browser)
        assert len(links) >= 15, links
        # Pages with charts one level down: a flag with its ramp, an experiment's results.
        links += ["/flags/nutrition-panel-layout", "/experiments/homepage-hero"]
        for width, height in [(1280, 800), (390, 844)]:
            browser.set_window_size(width, height)
            wide = {}
            for path in links:
                browser.get(server.url + path)
                scroll, inner = overflow(browser)
                if scroll > inner:
                    wide[path] = (scroll, inner)
            assert not wide, f"pages that scroll sideways at {width} px: {wide}"
        browser.get(server.url + "/flags/nutrition-panel-layout")
        assert "running" in browser.find_element(By.ID, "ramp-status").text
        browser.execute_script("document.getElementById('ramp').scrollIntoView()")
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "flag-ramp-390.png"))
        browser.get(server.url + "/")
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "home-390.png"))
        png = browser.get_screenshot_as_png()
        assert len(png) > 20_000, "the phone-sized home page is rendered, not blank"

        # The search box: one query finds things of several kinds by name.
        browser.set_window_size(1280, 800)
        box = browser.find_element(By.CSS_SELECTOR, "header form.search input[name=q]")
        box.send_keys("product")
        box.submit()

        def kinds():
            try:
                return {row.find_elements(By.TAG_NAME, "td")[1].text for row in browser.find_elements(By.CSS_SELECTOR, "#results tr")[1:]}
            except StaleElementReferenceException:
                return set()
        # submit() returns before the results page loads.
        assert wait_until(lambda: {"flag", "component", "check"} <= kinds(), 10), kinds()
        for query, kind in [("node_filesystem", "series"), ("staging-home", "check"), ("stephane", "person")]:
            browser.get(server.url + "/search?q=" + query)
            rows = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in browser.find_elements(By.CSS_SELECTOR, "#results tr")[1:]]
            assert any(r[1] == kind for r in rows), (query, rows)
        browser.get(server.url + "/search?q=x")
        assert "at least two letters" in browser.find_element(By.TAG_NAME, "main").text
    finally:
        server.stop()
        shutil.rmtree(config / ".example-hosts", ignore_errors=True)
