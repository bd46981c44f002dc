"""The pipeline pages in real headless Chromium: QA states set from the page make a revision
deployable, the button starts the rollout, its page follows it to the end, and the history
lists it."""
import os

from selenium.webdriver.common.by import By

from conftest import Server
from test_pages_chromium import browser, click_and_wait, refresh_until, sign_in  # noqa: F401  (the fixture)
from test_rollout_crash import on_disk, setup


def test_qa_button_rollout_and_history(browser, workdir):  # noqa: F811
    config, hosts, (one, two, three) = setup(workdir, deploy_seconds=0.5)
    server = Server(config, workdir / "data").start()
    try:
        sign_in(browser, server.url)
        browser.get(server.url + "/pipeline/production")
        assert browser.find_element(By.ID, "deployable").text == "Nothing new is deployable."
        assert one[:10] in browser.find_element(By.ID, "blocked").text
        for revision, state in [(one, "ok"), (two, "untestable"), (three, "bad")]:
            row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#revisions tr") if revision[:10] in r.text)
            row.find_element(By.XPATH, f".//option[text()='{state}']").click()
            click_and_wait(browser, row.find_element(By.TAG_NAME, "button"))
        assert two[:10] in browser.find_element(By.ID, "deployable").text
        assert "is QA'd bad" in browser.find_element(By.ID, "blocked").text

        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#roll-out button"))
        assert browser.current_url.startswith(server.url + "/rollouts/production-")
        assert browser.find_element(By.ID, "phase").text == "running", "the page shows the rollout in progress"
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "rollout.png"))
        assert refresh_until(browser, "phase", "succeeded", seconds=30) == "succeeded"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#steps tr")) == 1 + 12
        assert on_disk(hosts) == [two] * 3

        browser.get(server.url + "/pipeline/production")
        assert browser.find_element(By.ID, "running").text == two[:10]
        assert "succeeded" in browser.find_element(By.ID, "history").text
        assert browser.find_element(By.ID, "deployable").text == "Nothing new is deployable."
    finally:
        server.stop()
