"""The web pages in real headless Chromium (Debian's package), driven through chromedriver:
the flag list and a flag's page render their data, and the kill switch works from the page."""
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN_TOKEN

SCREENSHOTS = None


class Browser(webdriver.Chrome):
    """Chromium that signs in with the admin token (as Ann) when a page sends it to the sign-in
    page, since every page is private; `anonymous = True` keeps it a visitor."""
    anonymous = False

    def get(self, url):
        super().get(url)
        if not self.anonymous and "/login?next=" in self.current_url:
            fill_sign_in(self)


@pytest.fixture
def browser(workdir):
    chromedriver = shutil.which("chromedriver")
    chromium = shutil.which("chromium")
    assert chromedriver and chromium, "chromium and chromium-driver must be installed (the test command installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"]:
        options.add_argument(argument)
    driver = Browser(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def click_and_wait(browser, element):
    """Clicks a link or a form button and waits for the next page: reading before it loads
    finds the old page's elements, which go stale under the reader."""
    element.click()

    def gone(_):
        # Chromium reports a node of the page just left either as stale or, while the new page
        # is being built, as "does not belong to the document": both mean the page changed.
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    WebDriverWait(browser, 10).until(gone)


def refresh_until(browser, element_id, text, seconds=60):
    """Reloads the page until the element reads `text` and returns what it last read. A read
    that races a reload (a running rollout's page also reloads itself) is retried, not failed,
    and the answer is the read that succeeded, not a second one that could race again."""
    seen = [None]

    def done(b):
        b.refresh()
        seen[0] = b.find_element(By.ID, element_id).text
        return seen[0] == text
    try:
        WebDriverWait(browser, seconds, poll_frequency=0.5, ignored_exceptions=[WebDriverException]).until(done)
    except TimeoutException:
        pass
    return seen[0]


def sign_in(browser, url):
    browser.get(url + "/login")
    fill_sign_in(browser)


def fill_sign_in(browser):
    browser.find_element(By.NAME, "name").send_keys("Ann")
    browser.find_element(By.NAME, "token").send_keys(ADMIN_TOKEN)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def test_flag_list_and_flag_page_render_their_data(example_server, browser, workdir):
    example_server.evaluate("homepage-hero", {"targetingKey": "u1"})
    browser.get(example_server.url + "/flags")
    rows = {row.get_attribute("data-flag"): row for row in browser.find_elements(By.CSS_SELECTOR, "#flags tbody tr")}
    assert len(rows) == 15
    assert "DISABLED" in rows["footer-donation-banner"].text
    assert "team-web" in rows["homepage-hero"].text
    assert "expired" in rows["product-edit-form-v2"].text, "a flag past its expiry date is marked"
    browser.save_screenshot(str(workdir / "flags.png"))

    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "homepage-hero"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("homepage-hero")
    targeting = browser.find_element(By.ID, "targeting").text
    assert 'email ends with "@openfoodfacts.example"' in targeting
    assert "control 50%, scan 50%" in targeting


def test_kill_switch_from_the_page(example_server, browser, workdir):
    browser.anonymous = True
    browser.get(example_server.url + "/flags/read-only-mode")
    assert browser.current_url.endswith("/login?next=%2Fflags%2Fread-only-mode"), "a visitor is sent to sign in"
    assert browser.find_elements(By.ID, "kill-switch") == [] and browser.find_elements(By.ID, "state") == []
    fill_sign_in(browser)
    assert browser.current_url == example_server.url + "/flags/read-only-mode", "and comes back after signing in"
    assert "signed in as Ann (admin token, admin)" in browser.find_element(By.TAG_NAME, "header").text
    assert browser.find_element(By.ID, "state").text == "ENABLED"
    form = browser.find_element(By.ID, "kill-switch")
    form.find_element(By.NAME, "comment").send_keys("database maintenance")
    click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))

    assert browser.find_element(By.ID, "state").text == "DISABLED"
    history = browser.find_element(By.ID, "audit").text
    assert "Ann (admin token, admin)" in history and "disable" in history and "database maintenance" in history
    browser.save_screenshot(str(workdir / "flag.png"))
    assert example_server.evaluate("read-only-mode").json()["reason"] == "DISABLED"
