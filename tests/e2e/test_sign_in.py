"""Signing in with a real OpenID provider, LemonLDAP::NG from Debian's packages, configured by
the test, in headless Chromium: a volunteer sees the pages a viewer may, changes their own
team's flag, is refused (403 page) elsewhere, and signs out at the provider too; an admin sees
the access page. Wrong tokens from one address are throttled while another address gets in."""
import http.client
import shutil

from selenium.webdriver.common.by import By

from conftest import ADMIN_TOKEN, EXAMPLE, Server, free_port
from llng import LemonLDAP
from test_pages_chromium import browser, click_and_wait  # noqa: F401  (the fixture)

ACCESS = """issuer: {issuer}
client_id: almanac
client_secret_env: ALMANAC_OIDC_SECRET
grants:
  - {{claim: almanac-admins, role: admin}}
  - {{claim: volunteers, role: viewer}}
teams: operator
"""

TEAM = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-web}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: rtyler}
spec: {memberOf: [team-web], profile: {email: rtyler@badwolf.org}}
"""


def provider_and_server(workdir):
    port = free_port()
    provider = LemonLDAP(workdir, free_port(), f"http://127.0.0.1:{port}/auth/callback", f"http://127.0.0.1:{port}/login", "s3cret",
                         {"almanac-admins": '$uid eq "dwho"', "volunteers": '$uid eq "rtyler"'}).start()
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    (config / "access.yaml").write_text(ACCESS.format(issuer=provider.url))
    (config / "catalog" / "team-web.yaml").write_text(TEAM)
    server = Server(config, workdir / "data", port=port, extra_env={"ALMANAC_OIDC_SECRET": "s3cret"}).start()
    return provider, server


def sign_in_at_provider(browser, server, user, path):
    """Opens `path` as a visitor, follows the sign-in link to the provider and signs in there."""
    browser.get(server.url + path)
    assert "/login?next=" in browser.current_url, "a visitor is sent to sign in"
    click_and_wait(browser, browser.find_element(By.ID, "provider"))
    browser.find_element(By.NAME, "user").send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(user)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def test_sign_in_with_lemonldap_roles_and_sign_out(browser, workdir):
    provider, server = provider_and_server(workdir)
    browser.anonymous = True
    try:
        sign_in_at_provider(browser, server, "rtyler", "/flags")
        assert browser.current_url == server.url + "/flags", browser.page_source[:2000]
        assert "signed in as Rose Tyler (OpenID Connect, rtyler)" in browser.find_element(By.TAG_NAME, "header").text
        for path in ["/catalog", "/alerts", "/pipeline", "/docs"]:
            browser.get(server.url + path)
            assert browser.current_url == server.url + path and browser.find_element(By.TAG_NAME, "h1").text != "Not allowed", path

        # Her team's flag: the kill switch works, and the audit log names her.
        browser.get(server.url + "/flags/new-product-page")
        form = browser.find_element(By.ID, "kill-switch")
        form.find_element(By.NAME, "comment").send_keys("volunteer test")
        click_and_wait(browser, form.find_element(By.TAG_NAME, "button"))
        assert browser.find_element(By.ID, "state").text == "DISABLED"
        assert "Rose Tyler (OpenID Connect, rtyler)" in browser.find_element(By.ID, "audit").text
        # Another team's flag, the access page, a production rollout: refused with a page saying why.
        browser.get(server.url + "/flags/search-suggestions")
        click_and_wait(browser, browser.find_element(By.ID, "kill-switch").find_element(By.TAG_NAME, "button"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed"
        assert "team-search" in browser.find_element(By.ID, "error").text
        browser.get(server.url + "/access")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not allowed" and "admin" in browser.find_element(By.ID, "error").text
        browser.save_screenshot(str(workdir / "refused.png"))

        # Signing out ends the session here and at the provider, which sends the browser back.
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "header form button"))
        assert browser.current_url.startswith(provider.url + "/oauth2/logout?"), "RP-initiated logout at the provider"
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))  # the provider asks to confirm
        assert browser.current_url.startswith(server.url + "/login"), browser.current_url
        browser.get(server.url + "/flags")
        assert "/login?next=" in browser.current_url, "signed out"
        click_and_wait(browser, browser.find_element(By.ID, "provider"))
        assert browser.find_elements(By.NAME, "password"), "the provider asks for the password again"

        # An admin by the provider's group claim, signing in at that prompt, sees the access page.
        browser.find_element(By.NAME, "user").send_keys("dwho")
        browser.find_element(By.NAME, "password").send_keys("dwho")
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        assert browser.current_url == server.url + "/flags", "back where the sign-in started"
        browser.get(server.url + "/access")
        assert "Doctor Who (OpenID Connect, dwho): admin" in browser.find_element(By.TAG_NAME, "main").text
    finally:
        server.stop()
        provider.stop()


def send_token(server, token, source):
    """GET /api/v1/flags with `token`, from the loopback address `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    connection.request("GET", "/api/v1/flags", headers={"Authorization": f"Bearer {token}"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_wrong_tokens_are_throttled_per_address(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data").start()
    try:
        answers = [send_token(server, f"wrong-{n}", "127.0.0.1") for n in range(100)]
        assert answers[0] == 401 and 429 in answers[:20], answers[:20]
        assert answers.count(429) >= 85, "throttled after a small number"
        assert send_token(server, ADMIN_TOKEN, "127.0.0.1") == 429, "the throttled address waits, even with the right token"
        assert send_token(server, ADMIN_TOKEN, "127.0.0.2") == 200, "another address gets in"
        log = (workdir / "data" / "server.log").read_text()
        assert "wrong-1" not in log and ADMIN_TOKEN not in log, "no credential reaches the log"
    finally:
        server.stop()
