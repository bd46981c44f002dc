"""The catalogue and documentation in real headless Chromium: the server's pages (list, who to
call, the report with one departure, a runbook) and the static site built by `almanac docs
build`, opened from disk, with its search running in the browser."""
import os
import shutil
import subprocess

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, EXAMPLE, Server
from test_pages_chromium import browser, click_and_wait  # noqa: F401  (the fixture)


def test_catalogue_pages_and_the_static_site(browser, workdir):  # noqa: F811
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data").start()
    try:
        browser.get(server.url + "/catalog")
        assert "(30 services, 12 people)" in browser.find_element(By.TAG_NAME, "h1").text
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "images"))
        assert browser.find_element(By.ID, "tier").text == "Tier: critical-for-us"
        contacts = browser.find_element(By.ID, "contacts").text
        assert "infrastructure" in contacts and "alex" in contacts
        zfs = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#technologies tr") if r.text.startswith("zfs"))
        assert "alex" in zfs.text and "fewer than two" in zfs.text and "thin" in zfs.get_attribute("class")
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Restoring product images"))
        assert browser.find_element(By.CSS_SELECTOR, "#doc h1").text == "Restoring product images"

        browser.get(server.url + "/catalog/report")
        thin = browser.find_element(By.ID, "thin").text
        assert all(t in thin for t in ["elasticsearch", "sanoid", "stunnel", "zfs"])
        select = browser.find_element(By.NAME, "person")
        select.find_element(By.XPATH, "option[text()='alex']").click()
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button"))
        loss = browser.find_element(By.ID, "section-loss").text
        assert "sanoid, zfs" in loss and "backups, images, proxmox-cluster" in loss
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "catalog-report.png"))
    finally:
        server.stop()

    site = workdir / "site"
    built = subprocess.run([str(BINARY), "docs", "build", str(site), "--config", str(config), "--title", "Open Food Facts"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    # Chromium refuses fetch() from file:// pages, so the site is served as a publisher would
    # serve it: by a plain static file server.
    http = subprocess.Popen(["python3", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(http.stdout.readline().split(" port ")[1].split(" ")[0])
        base = f"http://127.0.0.1:{port}"
        browser.get(base + "/docs/runbooks/images.html")
        assert browser.find_element(By.CSS_SELECTOR, "#doc h1").text == "Restoring product images"
        click_and_wait(browser, browser.find_element(By.LINK_TEXT, "images"))
        assert browser.current_url.endswith("/catalog/resource/images.html")
        browser.get(base + "/search.html?q=zfs")
        WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#results li"))
        titles = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#results li")]
        assert "Restoring product images" in titles and "images (Resource)" in titles
        box = browser.find_element(By.ID, "q")
        box.clear()
        box.send_keys("onboarding volunteer")
        browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
        WebDriverWait(browser, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda b: [li.text for li in b.find_elements(By.CSS_SELECTOR, "#results li")] == ["Onboarding a volunteer sysadmin"])
    finally:
        http.terminate()
        http.wait(timeout=10)
